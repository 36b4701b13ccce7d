/**
 * The operations centre's composition root (`gateway central --config central.yaml`): PostgreSQL,
 * the primary host on the broker cluster, the HTTP app. All or nothing: a part that fails to start
 * stops what started before it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { tlsClientOptions } from '../gateway/platform/tls-client.ts';
import { buildCentralApp } from './central-app.ts';
import type { CentralConfig } from './central-schema.ts';
import { FleetStore } from './fleet-store.ts';
import { PrimaryHost } from './primary-host.ts';

export interface RunningCentral {
  readonly store: FleetStore;
  readonly host: PrimaryHost;
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
    log: log.child({ component: 'primary-host' }),
    ...(options.onStored ? { onStored: options.onStored } : {}),
  });
  host.start();
  const app = await buildCentralApp({ config, store, host, log: log.child({ component: 'api' }) });
  try {
    await app.listen({ host: config.api.host, port: config.api.port });
  } catch (err) {
    await host.stop();
    await store.close();
    throw new Error(`API cannot listen on ${config.api.host}:${config.api.port}: ${(err as Error).message}`, { cause: err });
  }
  const addr = app.server.address();
  const url = `http://${config.api.host}:${addr && typeof addr === 'object' ? addr.port : config.api.port}`;
  return {
    store,
    host,
    app,
    url,
    stop: async () => {
      await app.close();
      await host.stop();
      await store.close();
    },
  };
}
