/**
 * The embedded MQTT broker (aedes), for sites without one of their own. Listens on 127.0.0.1:1883 by
 * default; authenticates clients when users are configured; refuses publishes larger than
 * `maxPacketSize`.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';

export interface BrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxPacketSize: number;
  readonly users: ReadonlyArray<{ readonly username: string; readonly password: string }>;
}

export interface RunningBroker {
  readonly url: string;
  readonly port: number;
  clients(): number;
  close(): Promise<void>;
}

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  const want = Buffer.from(a);
  return want.length === b.length && timingSafeEqual(want, b);
}

export async function startEmbeddedBroker(options: BrokerOptions, log: Logger): Promise<RunningBroker> {
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      if (options.users.length === 0) return done(null, true);
      const user = options.users.find((u) => u.username === username);
      if (user && sameSecret(user.password, password)) return done(null, true);
      log.warn({ clientId: client.id, username }, 'mqtt client refused: bad username or password');
      const err = Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
      return done(err, null);
    },
    authorizePublish: (client, packet, done) => {
      const size = packet.payload?.length ?? 0;
      if (size > options.maxPacketSize) {
        log.warn({ clientId: client?.id, topic: packet.topic, size }, 'mqtt publish refused: payload larger than maxPacketSize');
        return done(new Error('payload too large'));
      }
      return done(null);
    },
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `mqtt://${options.host}:${port}`;
  log.info({ url }, 'embedded mqtt broker listening');
  return {
    url,
    port,
    clients: () => broker.connectedClients,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
