import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../support/test-password.ts';
import { ConfigError } from '../../gateway/config/config-error.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { buildCentralApp } from '../../central/central-app.ts';
import { loadCentralConfig } from '../../central/central-command.ts';
import { centralConfigSchema } from '../../central/central-schema.ts';
import type { FleetStore, SiteSummary } from '../../central/fleet-store.ts';
import type { PrimaryHost } from '../../central/primary-host.ts';
import { tempDir } from '../support/temp-dir.ts';

const site: SiteSummary = { site: 's<1>', group: 'g', online: false, since: 0, p1Active: 2, unacked: 3, openOrders: 1, overdueOrders: 1, availabilityPct: 97.5 };

/** The store and host as the app reads them (PostgreSQL and MQTT are covered by test/integration/central). */
const alarm = { site: site.site, alarmId: 'a1', title: 'Smoke', device: 'smoke-1', building: 'b1', floor: 'F1', priority: 1, state: 'active-unack', raisedAt: 1, ackedBy: null, seq: 1 };
const order = { orderId: 7, status: 'open', priority: 1, title: 'Check smoke-1', device: 'smoke-1', updatedAt: 1, fixBy: 2, overdue: true };
const store = {
  sites: async () => [site],
  site: async (id: string) => (id === site.site ? site : undefined),
  alarms: async () => [alarm],
  orders: async () => [order],
} as unknown as FleetStore;
const acks: string[] = [];
const host = {
  stats: () => ({ handled: 0, failures: 0, connected: true }),
  acknowledge: async (_g: string, _s: string, alarm: string, by: string) => (acks.push(`${alarm}:${by}`), 'ack-1'),
} as unknown as PrimaryHost;

async function app(fleetDir?: string) {
  const config = centralConfigSchema.parse({
    hostId: 'ops',
    groups: ['g'],
    broker: { url: 'mqtt://127.0.0.1:1' },
    postgres: { url: 'postgres://x@127.0.0.1:1/x' },
    users: [
      { username: 'duty', passwordHash: await testPasswordHash('a'), role: 'operator' },
      { username: 'watch', passwordHash: await testPasswordHash('b'), role: 'viewer' },
    ],
  });
  return buildCentralApp({ config, store, host, log: silentLogger(), ...(fleetDir ? { fleetDir } : {}) });
}
const auth = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

describe('the operations centre app', () => {
  it('asks for a login, refuses a wrong password and a role the route does not admit, and 404s unknown routes', async () => {
    const a = await app();
    expect((await a.inject({ url: '/' })).statusCode).toBe(401);
    expect((await a.inject({ url: '/', headers: auth('watch', 'wrong') })).statusCode).toBe(401);
    expect((await a.inject({ url: '/api/fleet', headers: auth('watch', 'b') })).statusCode).toBe(200);
    expect((await a.inject({ url: '/fleet.js' })).statusCode).toBe(401);
    expect((await a.inject({ url: '/api/health' })).statusCode).toBe(200);
    expect((await a.inject({ method: 'POST', url: '/api/sites/s1/alarms/x/ack', headers: auth('watch', 'b') })).statusCode).toBe(403);
    expect((await a.inject({ url: '/nothing', headers: auth('duty', 'a') })).statusCode).toBe(404);
    await a.close();
  });

  it('stops when a route declares no roles', async () => {
    const a = await app();
    expect(() => a.get('/undeclared', async () => 'x')).toThrow(/declares no roles/);
    await a.close();
  });

  it('serves the built fleet page behind the login, and says so when it is not built', async () => {
    const dir = tempDir('central-fleet-dist-');
    try {
      const a = await app(dir.path);
      expect((await a.inject({ url: '/', headers: auth('watch', 'b') })).statusCode).toBe(503);
      expect((await a.inject({ url: '/', headers: auth('watch', 'b') })).json().error).toContain('npm run build:dashboard');
      writeFileSync(join(dir.path, 'index.html'), '<div id="app"></div>');
      writeFileSync(join(dir.path, 'fleet.js'), 'export {}');
      const page = await a.inject({ url: '/', headers: auth('watch', 'b') });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toBe('<div id="app"></div>');
      expect((await a.inject({ url: '/fleet.js', headers: auth('duty', 'a') })).headers['content-type']).toContain('text/javascript');
      await a.close();
    } finally {
      dir.cleanup();
    }
  });

  it("gives a site's drill-down as JSON: its summary, active alarms, open orders, and whether the user may acknowledge", async () => {
    const a = await app();
    const viewer = await a.inject({ url: `/api/sites/${encodeURIComponent(site.site)}`, headers: auth('watch', 'b') });
    expect(viewer.statusCode).toBe(200);
    expect(viewer.json()).toEqual({ site, alarms: [alarm], orders: [order], canAcknowledge: false });
    expect((await a.inject({ url: `/api/sites/${encodeURIComponent(site.site)}`, headers: auth('duty', 'a') })).json().canAcknowledge).toBe(true);
    const missing = await a.inject({ url: '/api/sites/nowhere', headers: auth('duty', 'a') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toContain('nowhere');
    expect((await a.inject({ url: '/api/sites/s1' })).statusCode).toBe(401);
    await a.close();
  });
});

describe('central.yaml', () => {
  const dir = tempDir('central-config-');
  afterEach(() => dir.cleanup());

  it('lists every wrong field with its path', async () => {
    const file = join(dir.path, 'central.yaml');
    writeFileSync(file, 'hostId: "a/b"\ngroups: []\nbroker: { url: mqtt://x }\npostgres: {}\nusers: [{ username: u, passwordHash: plain, role: boss }]\n');
    const err = await loadCentralConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as Error).message;
    for (const path of ['hostId', 'groups', 'postgres.url', 'users[0].passwordHash', 'users[0].role']) expect(text).toContain(path);
  });
});

describe('the compose example of central.yaml', () => {
  const dir = tempDir('central-compose-');
  afterEach(() => dir.cleanup());

  it('is a valid central.yaml once its secret files exist', async () => {
    for (const f of ['postgres_password', 'central_mqtt_password']) writeFileSync(join(dir.path, f), 'secret\n');
    writeFileSync(join(dir.path, 'central_duty_hash'), `${await testPasswordHash('x')}\n`);
    writeFileSync(join(dir.path, 'gateway-write.token'), 'write-token\n');
    const before = { SECRETS_DIR: process.env.SECRETS_DIR, INFLUX_TOKENS_DIR: process.env.INFLUX_TOKENS_DIR };
    process.env.SECRETS_DIR = dir.path;
    process.env.INFLUX_TOKENS_DIR = dir.path;
    try {
      const config = await loadCentralConfig(new URL('../../config/compose/central.yaml', import.meta.url).pathname);
      expect(config.postgres.password).toBe('secret');
      expect(config.broker.failover).toHaveLength(2);
      expect(config.users[0]?.role).toBe('operator');
      expect(config.influx).toMatchObject({ version: 2, bucket: 'telemetry', token: 'write-token' });
      expect(config.dataDir).toBe('/var/lib/central');
    } finally {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
