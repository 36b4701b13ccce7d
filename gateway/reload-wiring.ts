/**
 * The composition root's side of `/metrics` in every mode and of config reload (gateway/metrics/,
 * gateway/reload/): every part's series read at scrape time, and the reloader behind SIGHUP and
 * POST /api/admin/reload, which restarts changed connectors in place in the running list.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { RunningBroker } from './broker/embedded-broker.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { Connector } from './connectors/connector.ts';
import { makeConnector, startConnector, type ConnectorsStartDeps } from './connectors-start.ts';
import type { Core, RulesHandle, TelemetryParts } from './compose-steps.ts';
import { liveSeed } from './compose-steps.ts';
import { registerGatewayMetrics } from './metrics/gateway-metrics.ts';
import { sqliteFilesOf } from './metrics/sqlite-files.ts';
import type { Clock } from './model/clock.ts';
import type { DeviceInfo } from './model/device.ts';
import { reloadFunction, type ReloadActor, type ReloadResult } from './reload/config-reload.ts';
import type { Teardown } from './teardown.ts';

interface MetricsAndReloadInput {
  readonly config: SiteConfig;
  readonly log: Logger;
  readonly options: { readonly reloadConfig?: () => Promise<SiteConfig> };
  readonly clock: Clock;
  readonly dataDir: string;
  readonly devices: DeviceInfo[];
  readonly core: Core;
  readonly tele: TelemetryParts;
  readonly rules: RulesHandle;
  /** The running connectors: a reload replaces restarted ones in this array. */
  readonly connectors: Connector[];
  readonly connectorDeps: Omit<ConnectorsStartDeps, 'teardown' | 'ingest'>;
  readonly broker: RunningBroker | undefined;
  readonly teardown: Teardown;
}

/** Registers the gateway's metric series and returns the reloader (refusing when not started from a file). */
export function wireMetricsAndReload(i: MetricsAndReloadInput): { reload: (by: ReloadActor) => Promise<ReloadResult>; available: boolean } {
  const { config, log, clock, dataDir, devices, connectors, broker, tele, rules } = i;
  const { alarms, workOrders, uptime } = rules;
  const { accounts, trouble, metrics } = i.core;
  const extraDbs = config.workOrders.database === undefined ? [] : [resolve(config.workOrders.database)];
  i.teardown.add('metrics', registerGatewayMetrics(metrics, { clock, connectors: () => connectors, bus: tele.bus, brokerIntake: broker?.ingest, alarms, workOrders, uptime: uptime?.facade, storage: tele.store, trouble, sqliteFiles: () => sqliteFilesOf(dataDir, extraDbs) }));
  return reloadFunction({
    load: i.options.reloadConfig,
    config,
    connectors,
    startConnector: async (c, site) => {
      const connector = await makeConnector(c, site, i.connectorDeps);
      if (connector) await startConnector(connector, tele.privacy.ingest(tele.bus), log);
      return connector;
    },
    devices,
    accounts,
    workOrders,
    reloadRules: (next) => tele.lifeSafety.add(alarms.reloadRules(next, liveSeed(devices, tele.live))),
    trouble,
    audit: accounts.audit,
    log: log.child({ component: 'config-reload' }),
    ...(broker ? { holdIngest: broker.ingest } : {}),
  });
}
