/**
 * The embedded MQTT broker (aedes), for sites without one of their own (gateway/broker/README.md).
 *
 * - Listens on 127.0.0.1:1883 by default; refuses to start on another address without users.
 * - Authenticates clients against `users` (scrypt hashes; plain passwords only on loopback); the
 *   gateway's own clients use a credential generated at start-up and reserved client ids.
 * - Binds each client id to the user that first used it: nobody takes over another's session.
 * - Limits connections (all, per address) and blocks addresses with repeated failed logins.
 * - A client that does not read (outgoing buffer over `maxQueuedBytes`, or no drain within
 *   `drainTimeout`) is disconnected and counted, so it cannot hold up delivery to anyone else.
 * - Authorizes publish/subscribe by topic prefix when an ACL is configured; drops any connection
 *   announcing a packet larger than `maxPacketSize` as soon as its fixed header is read.
 * - Optional mqtts listener (cert/key files) beside or instead of plain TCP.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { verifyPassword } from '../auth/password-hash.ts';
import { AddressLimiter } from './address-limiter.ts';
import type { BrokerConfig } from './broker-schema.ts';
import { brokerConfigIssues } from './broker-config-check.ts';
import { ClientIdBinding } from './client-id-binding.ts';
import type { EmbeddedBrokerAccess } from '../platform/broker-access.ts';
import { internalClientId, internalCredential } from './internal-access.ts';
import { isLoopbackHost } from './loopback.ts';
import { TopicAcl } from './topic-acl.ts';
import { BrokerIngest, type BrokerIngestPort } from './broker-ingest.ts';

export type BrokerOptions = Omit<BrokerConfig, 'enabled'> & { readonly enabled?: boolean };

export interface BrokerRefusals {
  /** Connections dropped for an oversized packet. */
  oversized: number;
  publish: number;
  subscribe: number;
  /** Connections closed on arrival: over `maxConnections`, over the per-address limit, or from a blocked address. */
  connections: number;
  /** Failed logins (bad or missing credentials, client id of another user). */
  auth: number;
  /** Clients disconnected because they did not read what was sent to them. */
  slowClients: number;
}

export interface RunningBroker extends EmbeddedBrokerAccess {
  /** Plain `mqtt://` URL, or the `mqtts://` one when there is no plain listener. */
  readonly url: string;
  readonly port: number;
  /** `mqtts://host:port` when the TLS listener runs. */
  readonly tlsUrl: string | undefined;
  readonly tlsPort: number | undefined;
  clients(): number;
  refusals(): Readonly<BrokerRefusals>;
  /** The gateway's own ingestion, in the broker (see broker-ingest.ts). */
  readonly ingest: BrokerIngestPort;
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

interface ClientConn {
  conn?: { writableLength?: number; destroyed?: boolean; destroy(): void };
}

function authError(returnCode: 2 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export async function startEmbeddedBroker(options: BrokerOptions, log: Logger, now: () => number = () => performance.now()): Promise<RunningBroker> {
  const problems = brokerConfigIssues({ ...options, enabled: true });
  if (problems.length > 0) throw new Error(`embedded broker not started: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  if (!options.plain && !options.tls) throw new Error('embedded broker not started: broker.plain is false and no broker.tls listener is configured');
  for (const u of options.users) {
    if (u.password !== undefined) {
      log.warn({ username: u.username }, 'broker user with a plain-text password (loopback only); replace it with passwordHash: echo PASSWORD | npm run gateway -- hash-password');
    }
  }
  const internal = internalCredential();
  const acl = new TopicAcl(options.acl ?? []);
  const usernames = new WeakMap<Client, string>();
  const internalOnly = new WeakSet<Client>();
  const addresses = new WeakMap<Client, string>();
  const bindings = new ClientIdBinding(internal.username);
  const limiter = new AddressLimiter(
    {
      maxTotal: options.maxConnections,
      maxPerAddress: options.perAddress.maxConnections,
      maxAuthFailures: options.perAddress.maxAuthFailures,
      windowMs: options.perAddress.window,
      blockForMs: options.perAddress.blockFor,
    },
    now,
  );
  const refusals: BrokerRefusals = { oversized: 0, publish: 0, subscribe: 0, connections: 0, auth: 0, slowClients: 0 };
  const isInternal = (client: Client | null): boolean => client !== null && usernames.get(client) === internal.username;

  const refuse = (client: Client, username: string | undefined, err: AuthenticateError, done: (e: AuthenticateError | null, ok: boolean | null) => void): void => {
    refusals.auth++;
    const address = addresses.get(client) ?? 'unknown';
    const blocked = limiter.authFailed(address);
    log.warn({ clientId: client.id, username, remote: address, blocked }, `mqtt client refused: ${err.message}`);
    done(err, null);
  };

  const checkUser = async (username: string | undefined, password: Buffer | undefined): Promise<boolean> => {
    if (username === internal.username) return sameSecret(internal.password, password);
    if (options.users.length === 0) return true;
    const user = options.users.find((u) => u.username === username);
    if (!user || !password) return false;
    if (user.passwordHash !== undefined) return verifyPassword(password.toString('utf8'), user.passwordHash);
    return sameSecret(user.password ?? '', password);
  };

  const ingest = new BrokerIngest();
  const broker = await Aedes.createBroker({
    drainTimeout: options.drainTimeout,
    queueLimit: options.queueLimit,
    maxInflightInbound: options.maxInflightInbound,
    maxClientsIdLength: options.maxClientsIdLength,
    authenticate: (client, username, password, done) => {
      if (client.id.length > options.maxClientsIdLength) {
        return refuse(client, username, authError(2, `client id longer than ${options.maxClientsIdLength} characters`), done);
      }
      const address = addresses.get(client) ?? 'unknown';
      if (limiter.isBlocked(address)) return refuse(client, username, authError(5, 'address blocked after repeated failed logins'), done);
      if (internalOnly.has(client) && username !== internal.username) {
        return refuse(client, username, authError(5, 'the internal listener serves only the gateway itself'), done);
      }
      checkUser(username, password).then(
        (ok) => {
          if (!ok) return refuse(client, username, authError(4, 'bad username or password'), done);
          const known = options.users.length > 0 || username === internal.username ? username : undefined;
          const taken = bindings.refusal(client.id, known);
          if (taken) return refuse(client, username, authError(2, taken), done);
          bindings.bind(client.id, known);
          if (known !== undefined) usernames.set(client, known);
          limiter.authSucceeded(address);
          return done(null, true);
        },
        (err: unknown) => refuse(client, username, authError(5, `password check failed: ${(err as Error).message}`), done),
      );
    },
    authorizePublish: (client, packet, done) => {
      const size = packet.payload?.length ?? 0;
      if (size > options.maxPacketSize) {
        log.warn({ clientId: client?.id, topic: packet.topic, size }, 'mqtt publish refused: payload larger than maxPacketSize');
        return done(new Error('payload too large'));
      }
      if (isInternal(client)) return done(null);
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
      if (isInternal(client)) return done(null, sub);
      const username = client ? usernames.get(client) : undefined;
      if (!acl.canSubscribe(username, sub.topic)) {
        refusals.subscribe++;
        log.warn({ clientId: client?.id, username, filter: sub.topic }, 'mqtt subscription refused by acl');
        return done(null, null);
      }
      return done(null, sub);
    },
    authorizeForward: (client, packet) => {
      // A client that stopped reading is cut off before its backlog makes delivery wait for it.
      const conn = (client as unknown as ClientConn).conn;
      if (conn?.destroyed) return null;
      if (conn && (conn.writableLength ?? 0) > options.maxQueuedBytes) {
        refusals.slowClients++;
        log.warn({ clientId: client.id, queuedBytes: conn.writableLength, max: options.maxQueuedBytes }, 'mqtt client disconnected: not reading (outgoing buffer full)');
        conn.destroy();
        return null;
      }
      return packet;
    },
  });
  broker.on('clientError', (client, err) => {
    if (err.message === 'drain timeout') {
      refusals.slowClients++;
      log.warn({ clientId: client.id, drainTimeout: options.drainTimeout }, 'mqtt client disconnected: not reading (drain timeout)');
      return;
    }
    log.debug({ clientId: client.id, err: err.message }, 'mqtt client error');
  });
  broker.on('clientDisconnect', (client) => {
    // A clean session leaves nothing to take over; a persistent one stays bound to its user.
    const live = (broker as unknown as { clients: Record<string, unknown> }).clients;
    if (client.clean && !live[client.id]) bindings.release(client.id);
  });

  let guardWarned = false;
  const onConnection = (socket: Socket, internalListener = false): void => {
    const address = socket.remoteAddress ?? 'unknown';
    const admitted = limiter.admit(address);
    if (admitted !== 'ok') {
      refusals.connections++;
      log.warn({ remote: address, reason: admitted }, 'mqtt connection refused: connection limit');
      socket.destroy();
      return;
    }
    socket.once('close', () => limiter.released(address));
    socket.on('error', () => undefined);
    const client = broker.handle(socket) as unknown as Client & { _parser?: PacketParser };
    addresses.set(client, address);
    if (internalListener) internalOnly.add(client);
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
  };

  const servers: Server[] = [];
  const listen = async (server: Server, port: number, host = options.host): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    servers.push(server);
    return (server.address() as AddressInfo).port;
  };
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };

  try {
    let plainPort: number | undefined;
    // write() keeps accepting up to twice maxQueuedBytes, so delivery never waits on a slow reader:
    // authorizeForward cuts it off once more than maxQueuedBytes wait in its buffer.
    const highWaterMark = options.maxQueuedBytes * 2;
    if (options.plain) plainPort = await listen(createServer({ highWaterMark }, (socket) => onConnection(socket)), options.port);
    let tlsPort: number | undefined;
    if (options.tls) {
      const t = options.tls;
      const read = (file: string, what: string): Buffer => {
        try {
          return readFileSync(file);
        } catch (err) {
          throw new Error(`broker.tls.${what}: cannot read ${file}: ${(err as Error).message}`);
        }
      };
      const serverCert = read(t.certFile, 'certFile');
      const ca = t.caFile !== undefined ? read(t.caFile, 'caFile') : undefined;
      const tlsServer = createTlsServer(
        {
          highWaterMark,
          cert: serverCert,
          key: read(t.keyFile, 'keyFile'),
          ...(ca ? { ca } : {}),
          requestCert: t.requireClientCert,
          rejectUnauthorized: t.requireClientCert,
          minVersion: 'TLSv1.2',
        },
        (socket) => onConnection(socket),
      );
      tlsServer.on('tlsClientError', (err, socket) => log.warn({ remote: socket.remoteAddress, err: err.message }, 'mqtts handshake failed'));
      tlsPort = await listen(tlsServer, t.port);
    }
    const tlsUrl = tlsPort !== undefined ? `mqtts://${hostInUrl}:${tlsPort}` : undefined;
    const url = plainPort !== undefined ? `mqtt://${hostInUrl}:${plainPort}` : (tlsUrl as string);
    // The gateway's own clients use the plain listener when it is on loopback; otherwise a listener
    // of their own on 127.0.0.1 that accepts nothing but the internal credential.
    let internalUrl = url;
    if (plainPort === undefined || !isLoopbackHost(options.host)) {
      const internalPort = await listen(createServer({ highWaterMark }, (socket) => onConnection(socket, true)), 0, '127.0.0.1');
      internalUrl = `mqtt://127.0.0.1:${internalPort}`;
    }
    log.info(
      { url, tlsUrl, internalUrl, acl: acl.enabled, users: options.users.length, loopback: isLoopbackHost(options.host), maxConnections: options.maxConnections },
      'embedded mqtt broker listening',
    );
    return {
      url,
      internalUrl,
      port: plainPort ?? (tlsPort as number),
      tlsUrl,
      tlsPort,
      connectOptions: (name) => ({
        clientId: internalClientId(name),
        username: internal.username,
        password: internal.password,
      }),
      clients: () => broker.connectedClients,
      ingest,
      refusals: () => ({ ...refusals }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
