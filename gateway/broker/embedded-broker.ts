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
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { brokerAuthenticate } from './broker-authenticate.ts';
import { brokerAuthorizeForward, brokerAuthorizePublish, brokerAuthorizeSubscribe } from './broker-authorize.ts';
import { brokerConfigIssues } from './broker-config-check.ts';
import { connectionHandler } from './broker-connections.ts';
import { createBrokerState, type BrokerOptions, type BrokerRefusals, type BrokerState } from './broker-state.ts';
import { createBrokerTlsServer } from './broker-tls-server.ts';
import type { EmbeddedBrokerAccess } from '../platform/broker-access.ts';
import { internalClientId } from './internal-access.ts';
import { isLoopbackHost } from './loopback.ts';
import { BrokerIngest, type BrokerIngestPort } from './broker-ingest.ts';

export type { BrokerOptions, BrokerRefusals } from './broker-state.ts';

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

export async function startEmbeddedBroker(options: BrokerOptions, log: Logger, now: () => number = () => performance.now()): Promise<RunningBroker> {
  const problems = brokerConfigIssues({ ...options, enabled: true });
  if (problems.length > 0) throw new Error(`embedded broker not started: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  if (!options.plain && !options.tls) throw new Error('embedded broker not started: broker.plain is false and no broker.tls listener is configured');
  for (const u of options.users) {
    if (u.password !== undefined) {
      log.warn({ username: u.username }, 'broker user with a plain-text password (loopback only); replace it with passwordHash: echo PASSWORD | npm run gateway -- hash-password');
    }
  }
  const state = createBrokerState(options, log, now, new BrokerIngest(now, log.child({ component: 'broker-intake' })));
  const broker = await createAedes(state);
  const onConnection = connectionHandler(broker, state);

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
    if (options.tls) tlsPort = await listen(createBrokerTlsServer(options.tls, highWaterMark, log, (socket) => onConnection(socket)), options.tls.port);
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
      { url, tlsUrl, internalUrl, acl: state.acl.enabled, users: options.users.length, loopback: isLoopbackHost(options.host), maxConnections: options.maxConnections },
      'embedded mqtt broker listening',
    );
    const { internal, refusals, ingest } = state;
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

/** The aedes instance with the gateway's login and authorization hooks and its slow-client accounting. */
async function createAedes(state: BrokerState): Promise<Aedes> {
  const { options, log, refusals, bindings } = state;
  const broker = await Aedes.createBroker({
    drainTimeout: options.drainTimeout,
    queueLimit: options.queueLimit,
    maxInflightInbound: options.maxInflightInbound,
    maxClientsIdLength: options.maxClientsIdLength,
    authenticate: brokerAuthenticate(state),
    authorizePublish: brokerAuthorizePublish(state),
    authorizeSubscribe: brokerAuthorizeSubscribe(state),
    authorizeForward: brokerAuthorizeForward(state),
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
  return broker;
}
