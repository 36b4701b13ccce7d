/**
 * The embedded MQTT broker (aedes), for sites without one of their own. Listens on 127.0.0.1:1883 by
 * default; authenticates clients when users are configured; authorizes publish/subscribe by topic
 * prefix when an ACL is configured; drops any connection announcing a packet larger than
 * `maxPacketSize` as soon as its fixed header is read, before the body is buffered.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type Client } from 'aedes';
import type { Logger } from 'pino';
import { TopicAcl, type AclRule } from './topic-acl.ts';
import { BrokerIngest, type BrokerIngestPort } from './broker-ingest.ts';

export interface BrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxPacketSize: number;
  readonly users: ReadonlyArray<{ readonly username: string; readonly password: string }>;
  readonly acl?: readonly AclRule[];
}

export interface RunningBroker {
  readonly url: string;
  readonly port: number;
  clients(): number;
  /** The gateway's own ingestion, in the broker (see broker-ingest.ts). */
  readonly ingest: BrokerIngestPort;
  /** Connections dropped for an oversized packet, publishes and subscriptions refused by the ACL. */
  refusals(): Readonly<{ oversized: number; publish: number; subscribe: number }>;
  close(): Promise<void>;
}

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  const want = Buffer.from(a);
  return want.length === b.length && timingSafeEqual(want, b);
}

/** The part of aedes' per-connection MQTT parser (mqtt-packet) the size guard hooks into. */
interface PacketParser {
  _parseLength?: () => boolean;
  packet?: { cmd?: string; length?: number };
}

export async function startEmbeddedBroker(options: BrokerOptions, log: Logger): Promise<RunningBroker> {
  const acl = new TopicAcl(options.acl ?? []);
  const usernames = new WeakMap<Client, string>();
  const refusals = { oversized: 0, publish: 0, subscribe: 0 };
  const ingest = new BrokerIngest();
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      if (username !== undefined) usernames.set(client, username);
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
      const username = client ? usernames.get(client) : undefined;
      if (!acl.canPublish(username, packet.topic)) {
        refusals.publish++;
        log.warn({ clientId: client?.id, username, topic: packet.topic }, 'mqtt publish refused by acl');
        return done(new Error(`not authorized to publish to ${packet.topic}`));
      }
      // the PUBACK of a QoS 1 publish waits for this (the gateway's durable commit)
      return ingest.run(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload ?? ''), packet.qos, done);
    },
    authorizeSubscribe: (client, sub, done) => {
      const username = client ? usernames.get(client) : undefined;
      if (!acl.canSubscribe(username, sub.topic)) {
        refusals.subscribe++;
        log.warn({ clientId: client?.id, username, filter: sub.topic }, 'mqtt subscription refused by acl');
        return done(null, null);
      }
      return done(null, sub);
    },
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
  let guardWarned = false;
  const server: Server = createServer((socket: Socket) => {
    const client = broker.handle(socket) as unknown as { _parser?: PacketParser };
    const parser = client._parser;
    const parseLength = parser?._parseLength;
    if (!parser || typeof parseLength !== 'function') {
      if (!guardWarned) log.warn('mqtt parser hook not found: maxPacketSize is enforced on publish payloads only');
      guardWarned = true;
      return;
    }
    parser._parseLength = function guardedParseLength(this: PacketParser): boolean {
      const complete = parseLength.call(this);
      const length = this.packet?.length ?? 0;
      if (complete && length > options.maxPacketSize) {
        refusals.oversized++;
        log.warn({ remote: socket.remoteAddress, cmd: this.packet?.cmd, length, max: options.maxPacketSize }, 'mqtt connection dropped: packet larger than maxPacketSize');
        socket.destroy();
        return false;
      }
      return complete;
    };
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `mqtt://${options.host}:${port}`;
  log.info({ url, acl: acl.enabled, users: options.users.length }, 'embedded mqtt broker listening');
  return {
    url,
    port,
    clients: () => broker.connectedClients,
    ingest,
    refusals: () => ({ ...refusals }),
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
