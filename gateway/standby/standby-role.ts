/**
 * The role of this gateway in a warm-standby pair: it renews the lease (lease.ts) on the Clock and
 * says whether outward actions (northbound alarm messages, work orders, escalations) may happen
 * now. Both gateways read the field and keep their own alarms current; only the one holding the
 * lease acts. On taking over it calls `onTakeover` (start the work-order and escalation workers,
 * announce the open alarms once); on losing the lease it calls `onStepDown` (`gateway run` exits,
 * so its supervisor starts it again as the standby: a node that was active never acts again on that
 * run's state).
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../model/clock.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import { Lease } from './lease.ts';
import type { StandbyConfig } from './standby-schema.ts';

export const STANDBY_TROUBLE = 'standby-lease';

export interface StandbyRoleOptions {
  readonly config: StandbyConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly trouble: TroubleBoard;
  readonly onTakeover: (epoch: number) => void;
  readonly onStepDown: () => void;
}

export class StandbyRole {
  readonly lease: Lease;
  private readonly o: StandbyRoleOptions;
  private timer: Timer | undefined;
  private active = false;
  private wasActive = false;

  constructor(o: StandbyRoleOptions) {
    this.o = o;
    this.lease = new Lease({ file: o.config.leaseFile, node: o.config.node, ttlMs: o.config.ttl, marginMs: Math.min(1_000, Math.floor(o.config.ttl / 3)), clock: o.clock });
  }

  start(): void {
    this.tick();
    this.timer = this.o.clock.setInterval(this.o.config.renewEvery, () => this.tick());
  }

  /** An outward action may happen now: this node holds the lease and the file still says so. */
  mayAct(): boolean {
    const epoch = this.lease.epoch();
    return epoch !== undefined && this.lease.fence(epoch);
  }

  isActive(): boolean {
    return this.active;
  }

  private tick(): void {
    this.lease.renew();
    const now = this.lease.isActive();
    if (now && !this.active) {
      this.active = true;
      this.wasActive = true;
      const v = this.lease.view();
      this.o.trouble.clear(STANDBY_TROUBLE);
      this.o.log.warn({ node: this.lease.node, epoch: v.epoch }, `standby: ${this.lease.node} is now the active gateway (lease epoch ${v.epoch})`);
      this.o.onTakeover(v.epoch);
    } else if (!now && this.active) {
      this.active = false;
      const v = this.lease.view();
      this.o.trouble.raise(STANDBY_TROUBLE, 'standby', `lost the lease to ${v.holder ?? 'nobody'} (epoch ${v.epoch}): this gateway no longer acts`, true);
      this.o.log.error({ node: this.lease.node, holder: v.holder, epoch: v.epoch }, 'standby: lease lost; stepping down');
      this.o.onStepDown();
    } else if (!now && !this.wasActive) {
      const v = this.lease.view();
      this.o.log.debug({ holder: v.holder, epoch: v.epoch }, 'standby: the other gateway holds the lease');
    }
  }

  /** A clean stop hands the lease over at once. */
  stop(): void {
    this.timer?.cancel();
    if (this.active) this.lease.release();
    this.active = false;
    this.lease.close();
  }
}
