/**
 * The norms module (rules/norms) in the running gateway: started on gateway.db and the reports
 * folder, fed by work orders and the uptime ledger, its routes added to the API before it listens.
 * One call from the composition root.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { normsFiles, startNorms, type NormsService } from '../rules/index.ts';
import type { AlarmService, UptimeService, WorkOrderService } from '../rules/index.ts';
import type { Accounts } from './auth/accounts.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { Clock } from './model/clock.ts';
import type { DeviceInfo } from './model/device.ts';
import { normsRoutes } from './api/routes/norms-routes.ts';
import { residentRoutes } from './api/routes/resident-routes.ts';
import { ledgerRoutes } from './api/routes/ledger-routes.ts';
import type { Teardown } from './teardown.ts';

export interface NormsWiring {
  readonly config: SiteConfig;
  readonly dataDir: string;
  readonly devices: readonly DeviceInfo[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly workOrders: WorkOrderService | undefined;
  readonly uptime: UptimeService | undefined;
  readonly alarms: AlarmService;
  readonly accounts: Accounts;
  readonly teardown: Teardown;
}

export async function attachNorms(app: FastifyInstance, w: NormsWiring): Promise<NormsService | undefined> {
  if (!w.config.norms.enabled) return undefined;
  const uptime = w.uptime;
  const norms = startNorms({
    config: w.config.norms,
    site: w.config.site,
    buildings: w.config.buildings.map((b) => b.id),
    devices: w.devices,
    ...normsFiles(w.dataDir),
    clock: w.clock,
    log: w.log,
    workOrders: w.workOrders,
    availability: uptime
      ? (range) => {
          const r = uptime.facade.report({ ...range, label: '' }, { top: 1 });
          return { sitePct: r.siteFigures.availabilityPct, devices: r.devices.map((d) => ({ device: d.device, name: d.name, pct: d.availabilityPct, targetPct: d.targetPct })) };
        }
      : undefined,
    alarms: (device, from, to) =>
      w.alarms.history({ device, from, to, limit: 1000 }).map((a) => ({ id: a.id, title: a.title, priority: a.priority, state: a.state, raisedAt: a.raisedAt, clearedAt: a.clearedAt })),
  });
  w.teardown.add('norms', () => norms.stop());
  if (norms.residents) await app.register(residentRoutes(norms.residents, w.accounts.audit));
  await app.register(normsRoutes(norms, { audit: w.accounts.audit, residentsDataRoles: w.config.privacy.residentsDataRoles, timeZone: w.config.site.timezone, now: () => w.clock.now() }));
  await app.register(ledgerRoutes(norms, w.config.site.timezone, () => w.clock.now(), w.accounts.audit));
  return norms;
}
