/**
 * The operations centre's composition root (`gateway central --config central.yaml`): PostgreSQL,
 * the telemetry spool and its InfluxDB forwarder, the primary host on the broker cluster, the HTTP app. All or nothing: a part that fails to start
 * stops what started before it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { tlsClientOptions } from '../gateway/platform/tls-client.ts';
import { buildCentralApp } from './central-app.ts';
import type { CentralConfig } from './central-schema.ts';
import { CentralTelemetry } from './central-telemetry.ts';
import { FleetStore } from './fleet-store.ts';
import { PrimaryHost } from './primary-host.ts';
import { SessionSeqCheck } from './session-seq-check.ts';

export interface RunningCentral {
  readonly store: FleetStore;
  readonly host: PrimaryHost;
  readonly seqCheck: SessionSeqCheck;
  /** Undefined without `influx` in central.yaml. */
  readonly telemetry: CentralTelemetry | undefined;
  readonly app: FastifyInstance;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startCentral(config: CentralConfig, log: Logger, options: { onStored?: ConstructorParameters<typeof PrimaryHost>[0]['onStored'] } = {}): Promise<RunningCentral> {
  const store = new FleetStore(config.postgres.url, config.postgres.poolSize, config.postgres.password);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw new Error(`PostgreSQL at ${new URL(config.postgres.url).host}: ${(err as Error).message}`, { cause: err });
  }
  const seqCheck = new SessionSeqCheck({
    url: config.postgres.url,
    ...(config.postgres.password !== undefined ? { password: config.postgres.password } : {}),
    graceMs: config.seqGapGrace,
    log: log.child({ component: 'seq-check' }),
    requestRebirth: (group, site) => host.requestRebirth(group, site), // the host is made below, before any flush
  });
  try {
    await seqCheck.migrate();
  } catch (err) {
    await seqCheck.stop();
    await store.close().catch(() => undefined);
    throw new Error(`PostgreSQL at ${new URL(config.postgres.url).host}: ${(err as Error).message}`, { cause: err });
  }
  const telemetry = config.influx ? new CentralTelemetry(config.influx, config.dataDir, log.child({ component: 'telemetry' })) : undefined;
  try {
    await telemetry?.start();
  } catch (err) {
    await telemetry?.stop();
    await seqCheck.stop();
    await store.close();
    throw new Error(`telemetry spool under ${config.dataDir}: ${(err as Error).message}`, { cause: err });
  }
  if (!telemetry) log.warn('no influx in central.yaml: telemetry (DBIRTH/DDATA) is counted, not kept');
  const b = config.broker;
  const host = new PrimaryHost({
    hostId: config.hostId,
    groups: config.groups,
    urls: [b.url, ...b.failover],
    shareGroup: b.shareGroup,
    keepaliveS: Math.max(1, Math.round(b.keepalive / 1000)),
    connectOptions: {
      ...(b.username !== undefined ? { username: b.username } : {}),
      ...(b.password !== undefined ? { password: b.password } : {}),
      ...(tlsClientOptions(b.tls, 'broker') ?? {}),
    },
    store,
    ...(telemetry ? { telemetry } : {}),
    seqCheck,
    log: log.child({ component: 'primary-host' }),
    ...(options.onStored ? { onStored: options.onStored } : {}),
  });
  host.start();
  seqCheck.start();
  const app = await buildCentralApp({ config, store, host, seqCheck, ...(telemetry ? { telemetry } : {}), log: log.child({ component: 'api' }) });
  try {
    await app.listen({ host: config.api.host, port: config.api.port });
  } catch (err) {
    await host.stop();
    await seqCheck.stop();
    await telemetry?.stop();
    await store.close();
    throw new Error(`API cannot listen on ${config.api.host}:${config.api.port}: ${(err as Error).message}`, { cause: err });
  }
  const addr = app.server.address();
  const url = `http://${config.api.host}:${addr && typeof addr === 'object' ? addr.port : config.api.port}`;
  return {
    store,
    host,
    seqCheck,
    telemetry,
    app,
    url,
    stop: async () => {
      await app.close();
      await host.stop();
      await seqCheck.stop();
      await telemetry?.stop();
      await store.close();
    },
  };
}
