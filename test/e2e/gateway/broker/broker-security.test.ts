/**
 * The embedded broker locked down (#12.2, #14.3): no open broker off loopback, hashed passwords,
 * client ids bound to their user, reserved ids for the gateway's own clients, connection and
 * failed-login limits, an mqtts listener, and a frozen subscriber that cannot hold up anyone.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { testPasswordHash } from '../../../support/test-password.ts';
import { brokerSchema } from '../../../../gateway/broker/broker-schema.ts';
import { startEmbeddedBroker, type RunningBroker } from '../../../../gateway/broker/embedded-broker.ts';
import { ConfigError } from '../../../../gateway/config/config-error.ts';
import { parseConfigText } from '../../../../gateway/config/load-config.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { makeTestPki, type TestPki } from '../../../support/test-certificates.ts';

let broker: RunningBroker | undefined;
const clients: MqttClient[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) await c.endAsync(true);
  await broker?.close();
  broker = undefined;
});

async function start(overrides: Record<string, unknown>, now?: () => number): Promise<RunningBroker> {
  broker = await startEmbeddedBroker(brokerSchema.parse({ enabled: true, port: 0, ...overrides }), silentLogger(), now);
  return broker;
}

async function client(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...options });
  clients.push(c);
  return c;
}

function refused(url: string, options: mqtt.IClientOptions = {}): Promise<string> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...options }).then(
    async (c) => {
      await c.endAsync(true);
      return 'accepted';
    },
    (err: unknown) => (err as Error).message,
  );
}

/** True when the broker closes a new connection before answering its CONNECT. */
function closedOnArrival(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => undefined);
    s.once('connect', () => s.write(rawConnectSubscribe(`probe-${sockets.length}`)));
    s.once('data', () => resolve(false));
    s.once('close', () => resolve(true));
  });
}

const SITE = (broker: string): string => `
site: { id: s1, name: S }
buildings: [{ id: b1, name: B, floors: [{ id: f1 }] }]
broker: ${broker}
`;

describe('broker configuration check', () => {
  it('refuses a non-loopback broker without users, in check-config and at start-up', async () => {
    const err = (() => {
      try {
        parseConfigText(SITE('{ enabled: true, host: 0.0.0.0 }'), 'site.yaml');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toContainEqual({ path: 'broker.users', message: expect.stringMatching(/listens on 0\.0\.0\.0 but no users/) });
    await expect(startEmbeddedBroker(brokerSchema.parse({ enabled: true, host: '0.0.0.0', port: 0 }), silentLogger())).rejects.toThrow(/no users are configured/);
    // loopback without users stays allowed (the demo)
    expect(parseConfigText(SITE('{ enabled: true, host: 127.0.0.1 }'), 'site.yaml').broker.host).toBe('127.0.0.1');
  });

  it('refuses plain-text passwords off loopback and asks for exactly one of password/passwordHash', () => {
    const issues = (text: string): Array<{ path: string; message: string }> => {
      try {
        parseConfigText(text, 'site.yaml');
        return [];
      } catch (e) {
        return (e as ConfigError).issues.map((i) => ({ ...i }));
      }
    };
    expect(issues(SITE('{ enabled: true, host: 0.0.0.0, users: [{ username: u, password: p }] }'))).toContainEqual({
      path: 'broker.users[0].password',
      message: expect.stringMatching(/plain-text password.*passwordHash.*hash-password/),
    });
    expect(issues(SITE('{ enabled: true, users: [{ username: u }] }'))).toContainEqual({ path: 'broker.users[0]', message: 'give exactly one of passwordHash or password' });
  });
});

describe('broker authentication', () => {
  it('verifies scrypt password hashes and refuses anonymous clients when users exist', async () => {
    const b = await start({ users: [{ username: 'sensor', passwordHash: await testPasswordHash('s3cret-pw') }] });
    expect(await refused(b.url)).toMatch(/Bad username or password|Not authorized/i);
    expect(await refused(b.url, { username: 'sensor', password: 'wrong' })).toMatch(/Bad username or password/i);
    const ok = await client(b.url, { username: 'sensor', password: 's3cret-pw' });
    expect(ok.connected).toBe(true);
  });

  it('binds a client id to its user: another user cannot take over the session', async () => {
    const b = await start({
      users: [
        { username: 'alice', password: 'pa' },
        { username: 'mallory', password: 'pm' },
      ],
    });
    const alice = await client(b.url, { username: 'alice', password: 'pa', clientId: 'door-reader-1', clean: false });
    await alice.subscribeAsync('doors/#', { qos: 1 });
    expect(await refused(b.url, { username: 'mallory', password: 'pm', clientId: 'door-reader-1', clean: false })).toMatch(/Identifier rejected/i);
    expect(alice.connected).toBe(true);
    await alice.endAsync();
    // the persistent session stays alice's after she leaves
    expect(await refused(b.url, { username: 'mallory', password: 'pm', clientId: 'door-reader-1', clean: false })).toMatch(/Identifier rejected/i);
    const back = await client(b.url, { username: 'alice', password: 'pa', clientId: 'door-reader-1', clean: false });
    expect(back.connected).toBe(true);
    expect(b.refusals().auth).toBe(2);
  });

  it("reserves the gateway's own client ids and lets its internal credential through users and ACL", async () => {
    const b = await start({ users: [{ username: 'sim', password: 'p1' }], acl: [{ username: 'sim', publish: ['demo/'] }] });
    const internal = b.connectOptions('mqtt-local');
    expect(internal.clientId).toMatch(/^gateway-internal-mqtt-local-[0-9a-f]{12}$/);
    expect(b.connectOptions('mqtt-local').clientId).not.toBe(internal.clientId);
    expect(b.internalUrl).toBe(b.url);
    const gw = await client(b.internalUrl, { ...internal });
    await gw.subscribeAsync('#', { qos: 1 });
    expect(await refused(b.url, { username: 'sim', password: 'p1', clientId: internal.clientId })).toMatch(/Identifier rejected/i);
    expect(await refused(b.url, { username: 'sim', password: 'p1', clientId: 'gateway-internal-x' })).toMatch(/Identifier rejected/i);
    expect(gw.connected).toBe(true);
  });

  it('refuses client ids longer than maxClientsIdLength (MQTT 3.1.1 too)', async () => {
    const b = await start({ maxClientsIdLength: 16 });
    expect(await refused(b.url, { clientId: 'x'.repeat(17) })).toMatch(/Identifier rejected/i);
    expect((await client(b.url, { clientId: 'x'.repeat(16) })).connected).toBe(true);
  });
});

describe('broker connection limits', () => {
  it('blocks an address after repeated failed logins, until blockFor has passed', async () => {
    let t = 0;
    const b = await start({ users: [{ username: 'u', password: 'right' }], perAddress: { maxAuthFailures: 3, window: '1m', blockFor: '5m' } }, () => t);
    for (let i = 0; i < 3; i++) expect(await refused(b.url, { username: 'u', password: `guess-${i}` })).toMatch(/Bad username or password/i);
    // blocked now: the connection is closed on arrival, before even the right password is read
    expect(await closedOnArrival(b.port)).toBe(true);
    expect(b.refusals().connections).toBe(1);
    t += 5 * 60_000 + 1;
    expect((await client(b.url, { username: 'u', password: 'right' })).connected).toBe(true);
  });

  it('closes connections over maxConnections and over the per-address limit', async () => {
    const b = await start({ maxConnections: 2 });
    await client(b.url);
    await client(b.url);
    expect(await closedOnArrival(b.port)).toBe(true);
    expect(b.refusals().connections).toBe(1);
    await broker?.close();
    for (const c of clients.splice(0)) await c.endAsync(true);
    const b2 = await start({ perAddress: { maxConnections: 1 } });
    await client(b2.url);
    expect(await closedOnArrival(b2.port)).toBe(true);
    expect(b2.refusals().connections).toBe(1);
  });
});

describe('mqtts listener', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki.remove());

  it('serves MQTT over TLS instead of plain TCP, verified against the CA', async () => {
    const b = await start({ plain: false, tls: { port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile } });
    expect(b.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(b.tlsUrl).toBe(b.url);
    // no CA: the self-made certificate is not trusted
    expect(await refused(b.url)).toMatch(/certificate/i);
    const sub = await client(b.url, { ca: readFileSync(pki.caFile) });
    const got: string[] = [];
    sub.on('message', (_t, p) => got.push(p.toString()));
    await sub.subscribeAsync('t/#', { qos: 1 });
    // the gateway's own clients reach the TLS-only broker on their own loopback listener, which
    // accepts nothing but their credential
    expect(b.internalUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(await refused(b.internalUrl)).toMatch(/Not authorized/i);
    const internal = await client(b.internalUrl, { ...b.connectOptions('northbound') });
    await internal.publishAsync('t/1', 'over tls', { qos: 1 });
    await waitFor(() => got.includes('over tls'), 10_000, 'message over mqtts');
  });

  it('requires a client certificate signed by caFile when requireClientCert is set', async () => {
    const b = await start({ tls: { port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile, requireClientCert: true } });
    const ca = readFileSync(pki.caFile);
    expect(b.tlsUrl).toBeDefined();
    expect(await refused(b.tlsUrl as string, { ca })).not.toBe('accepted');
    const ok = await client(b.tlsUrl as string, { ca, cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) });
    expect(ok.connected).toBe(true);
  });
});

/** MQTT 3.1.1 CONNECT (clean session, keepalive 0) and SUBSCRIBE `#` at QoS 0, as raw bytes. */
function rawConnectSubscribe(clientId: string): Buffer {
  const id = Buffer.from(clientId);
  const varHeader = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 0]);
  const connectBody = Buffer.concat([varHeader, Buffer.from([0, id.length]), id]);
  const connect = Buffer.concat([Buffer.from([0x10, connectBody.length]), connectBody]);
  const subscribe = Buffer.from([0x82, 6, 0, 1, 0, 1, 0x23, 0]);
  return Buffer.concat([connect, subscribe]);
}

describe('a frozen subscriber', () => {
  it('does not delay another client: it is disconnected and counted, the others get every message', async () => {
    const b = await start({ drainTimeout: '10m', maxQueuedBytes: 256 * 1024 });
    const frozen = netConnect(b.port, '127.0.0.1');
    sockets.push(frozen);
    await new Promise<void>((resolve) => frozen.once('connect', () => resolve()));
    let seen = 0;
    const onData = (d: Buffer): void => {
      seen += d.length;
    };
    frozen.on('data', onData);
    frozen.write(rawConnectSubscribe('frozen'));
    await waitFor(() => seen >= 4 + 5, 10_000, 'CONNACK and SUBACK for the frozen client'); // CONNACK 4 bytes, SUBACK 5 bytes
    frozen.off('data', onData);
    frozen.pause(); // never reads again

    const sub = await client(b.url, { clientId: 'alarm-reader' });
    let received = 0;
    sub.on('message', () => received++);
    await sub.subscribeAsync('site/#', { qos: 0 });
    const pub = await client(b.url, { clientId: 'telemetry-source' });
    const COUNT = 3_000;
    const payload = Buffer.alloc(8 * 1024, 0x61); // 24 MB in all: far beyond any socket buffer
    for (let i = 0; i < COUNT; i++) pub.publish(`site/t/${i}`, payload, { qos: 0 });
    await waitFor(() => received === COUNT, 60_000, `all ${COUNT} messages at the reading subscriber (got ${received})`);
    expect(b.refusals().slowClients).toBe(1);
    await waitFor(() => b.clients() === 2, 10_000, 'frozen client gone');
  }, 120_000);
});
