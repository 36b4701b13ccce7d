/**
 * The composition root's side of warm standby: without `standby` this gateway always acts and
 * starts everything at once; with it, a StandbyRole renews the lease, outward actions are gated by
 * `acting()`, the workers queued with `whenActive` start on the takeover, and `/metrics` carries
 * `gateway_standby_active{node}`.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SiteConfig } from '../config/site-schema.ts';
import { scrapeGauge } from '../metrics/scrape-metric.ts';
import type { Clock } from '../model/clock.ts';
import type { Teardown } from '../teardown.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import { StandbyRole } from './standby-role.ts';

export interface StandbyWiring {
  acting(): boolean;
  whenActive(start: () => void): void;
  /** Begin renewing (after everything is wired); `onTakeover` runs after the queued starts. */
  start(onTakeover: () => void): void;
}

export function standbyWiring(config: SiteConfig, deps: { clock: Clock; log: Logger; trouble: TroubleBoard; metrics: Registry; teardown: Teardown; onStepDown?: (() => void) | undefined }): StandbyWiring | undefined {
  const standby = config.standby;
  if (!standby) return undefined;
  const queued: Array<() => void> = [];
  let takeover: () => void = () => {};
  const role = new StandbyRole({
    config: standby,
    clock: deps.clock,
    log: deps.log.child({ component: 'standby' }),
    trouble: deps.trouble,
    onTakeover: () => {
      for (const fn of queued.splice(0)) fn();
      takeover();
    },
    onStepDown: () => deps.onStepDown?.(),
  });
  deps.teardown.add('standby lease', () => role.stop());
  scrapeGauge(deps.metrics, 'gateway_standby_active', 'Warm standby: 1 while this gateway holds the lease and acts, 0 while it is the standby', ['node'], () => [[{ node: standby.node }, role.isActive() ? 1 : 0]]);
  return {
    acting: () => role.mayAct(),
    whenActive: (start) => {
      queued.push(start);
    },
    start: (onTakeover) => {
      takeover = onTakeover;
      role.start();
    },
  };
}
