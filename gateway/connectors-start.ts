/**
 * Create every configured connector with its bound devices and start them all: a connector type
 * without a runtime leaves its devices offline (logged), it never stops the gateway.
 */
import type { Logger } from 'pino';
import type { RunningBroker } from './broker/embedded-broker.ts';
import type { SiteConfig } from './config/site-schema.ts';
import { createConnector } from './connectors/connector-registry.ts';
import type { BoundDevice, Connector } from './connectors/connector.ts';
import type { SampleSink } from './model/sample.ts';
import type { Clock } from './model/clock.ts';
import type { DeviceInfo } from './model/device.ts';
import type { ConditionSink } from './model/source-condition.ts';
import type { Teardown } from './teardown.ts';
import type { TroubleBoard } from './trouble/trouble-board.ts';

export interface ConnectorsStartDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly trouble: TroubleBoard;
  readonly dataDir: string;
  readonly byId: ReadonlyMap<string, DeviceInfo>;
  readonly broker: RunningBroker | undefined;
  readonly teardown: Teardown;
  /** Where connectors deliver conditions devices raise themselves (the alarms). */
  readonly conditions?: ConditionSink;
  /** Where the connectors push samples (the bus, behind badge pseudonymisation). */
  readonly ingest: SampleSink;
}

/** Make the connector of `c` for the devices `config` binds to it (at start, and again on a config reload); undefined for a type without a runtime. */
export async function makeConnector(c: SiteConfig['connectors'][number], config: SiteConfig, deps: Omit<ConnectorsStartDeps, 'teardown' | 'ingest'>): Promise<Connector | undefined> {
  const { clock, log, trouble, dataDir, byId, broker, conditions } = deps;
  const bound: BoundDevice[] = config.devices
    .filter((d) => d.binding.connector === c.id)
    .map((d) => ({ info: byId.get(d.id) as DeviceInfo, binding: d.binding }));
  const clog = log.child({ connector: c.id });
  const connector = await createConnector(c, {
    clock,
    log: clog,
    devices: bound,
    trouble,
    dataDir,
    maxClockSkew: config.deviceDefaults.maxClockSkew,
    ...(conditions ? { conditions } : {}),
    ...(broker ? { embeddedBrokerUrl: broker.url, embeddedBroker: broker, embeddedIngest: broker.ingest } : {}),
  });
  if (!connector) clog.error({ type: c.type, devices: bound.length }, `connector type "${c.type}" has no runtime in this build; its devices stay offline`);
  return connector;
}

/** Start a made connector, logging whether it is connected yet. */
export async function startConnector(connector: Connector, ingest: SampleSink, log: Logger): Promise<void> {
  await connector.start(ingest);
  const h = connector.health();
  log.info({ connector: connector.id, type: h.type, connected: h.connected }, h.connected ? `connector ${connector.id} up` : `connector ${connector.id} started; not connected yet, retrying`);
}

export async function startConnectors(config: SiteConfig, deps: ConnectorsStartDeps): Promise<Connector[]> {
  const { log, teardown } = deps;
  const connectors: Connector[] = [];
  teardown.add('connectors', () => Promise.all(connectors.map((c) => c.stop().catch((err: unknown) => log.warn({ err, connector: c.id }, 'connector stop failed')))));
  for (const c of config.connectors) {
    const connector = await makeConnector(c, config, deps);
    if (connector) connectors.push(connector);
  }
  await Promise.all(connectors.map((connector) => startConnector(connector, deps.ingest, log)));
  return connectors;
}
