/**
 * Building scopes: an operator limited to building b1 sees and acts only on b1 (devices, site,
 * alarms, work orders, uptime, the live stream); an engineer limited to b2 likewise; admins and
 * unscoped accounts see the whole site.
 */
import { request as httpRequest } from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../../support/test-password.ts';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { PASSWORD, rawRequest } from './secured-gateway.ts';

const smoke = (id: string, building: string) => ({ id, kind: 'smoke_detector', building, floor: 'F1', binding: { connector: 'mqtt-local', topic: `test/smoke/${id}` } });

function site(dataDir: string, users: unknown[]) {
  return {
    site: { id: 'two', name: 'Two buildings' },
    buildings: [
      { id: 'b1', name: 'One', floors: [{ id: 'F1' }] },
      { id: 'b2', name: 'Two', floors: [{ id: 'F1' }] },
    ],
    broker: { enabled: true, port: 0 },
    api: { port: 0 },
    storage: { dataDir },
    connectors: [{ id: 'mqtt-local', type: 'mqtt', url: 'embedded' }],
    devices: [smoke('smoke-b1', 'b1'), smoke('smoke-b2', 'b2')],
    rulePacks: ['smoke_detector'],
    accounts: { users },
    workOrders: { enabled: true, contractors: [{ id: 'fire-co', name: 'Fire', trades: ['fire'], kinds: ['smoke_detector'], token: 'fire-co-token-0123456789', channels: { mqtt: { topic: 'wo/fire' } } }] },
  };
}

describe('accounts limited to buildings', () => {
  const dir = tempDir('fgw-scope-');
  let gw: RunningGateway;
  let port: number;
  let client: MqttClient;
  const cookies: Record<string, string> = {};
  const as = (user: string, method: string, path: string, body?: unknown) =>
    rawRequest(port, method, path, { cookie: cookies[user] as string }, body === undefined ? undefined : JSON.stringify(body));
  const json = async <T>(user: string, path: string): Promise<T> => JSON.parse((await as(user, 'GET', path)).body) as T;

  beforeAll(async () => {
    const passwordHash = await testPasswordHash(PASSWORD);
    const users = [
      { username: 'op1', role: 'operator', passwordHash, buildings: ['b1'] },
      { username: 'eng2', role: 'engineer', passwordHash, buildings: ['b2'] },
      { username: 'op', role: 'operator', passwordHash },
      { username: 'ada', role: 'admin', passwordHash },
    ];
    gw = await startGateway(validateConfig(site(dir.path, users)), silentLogger());
    port = Number(new URL(gw.apiUrl as string).port);
    for (const u of users) {
      const res = await rawRequest(port, 'POST', '/api/auth/login', {}, JSON.stringify({ username: u.username, password: PASSWORD }));
      cookies[u.username] = String(res.headers['set-cookie']).split(';')[0] as string;
    }
    client = await mqtt.connectAsync(gw.broker?.url as string);
    // a smoke alarm in each building
    for (const id of ['smoke-b1', 'smoke-b2']) await client.publishAsync(`test/smoke/${id}`, JSON.stringify({ obscuration_pct_m: 9, alarm: true, battery_pct: 90, tamper: false, heartbeat: 1 }), { qos: 1 });
    await waitFor(() => gw.alarms.active({}).length >= 2, 15_000, 'an alarm in each building');
  });
  afterAll(async () => {
    await client?.endAsync();
    await gw?.stop();
    dir.cleanup();
  });

  it('lists only the devices, buildings and alarms of the scope; names outside it are 404', async () => {
    const devices = await json<{ devices: Array<{ id: string }> }>('op1', '/api/devices');
    expect(devices.devices.map((d) => d.id)).toEqual(['smoke-b1']);
    expect((await json<{ devices: Array<{ id: string }> }>('op', '/api/devices')).devices).toHaveLength(2);
    expect((await json<{ buildings: Array<{ id: string }> }>('op1', '/api/site')).buildings.map((b) => b.id)).toEqual(['b1']);
    expect((await as('op1', 'GET', '/api/devices/smoke-b2')).status).toBe(404);
    expect((await as('op1', 'GET', '/api/devices/smoke-b2/points/alarm/history')).status).toBe(404);
    expect((await as('op1', 'GET', '/api/devices?building=b2')).body).toBe('{"devices":[]}');
    const alarms = await json<{ alarms: Array<{ id: string; building: string }> }>('op1', '/api/alarms');
    expect(alarms.alarms.length).toBeGreaterThan(0);
    expect(alarms.alarms.every((a) => a.building === 'b1')).toBe(true);
    expect((await json<{ alarms: Array<{ building: string }> }>('eng2', '/api/alarms/history')).alarms.every((a) => a.building === 'b2')).toBe(true);
    const b2Alarm = gw.alarms.active({ building: 'b2' })[0]!;
    expect((await as('op1', 'GET', `/api/alarms/${b2Alarm.id}`)).status).toBe(404);
    expect((await as('op1', 'GET', `/api/alarms/${b2Alarm.id}/journal`)).status).toBe(404);
  });

  it('refuses actions outside the scope as if the target did not exist, and allows them inside', async () => {
    const b2Alarm = gw.alarms.active({ building: 'b2' })[0]!;
    const b1Alarm = gw.alarms.active({ building: 'b1' })[0]!;
    expect((await as('op1', 'POST', `/api/alarms/${b2Alarm.id}/ack`, {})).status).toBe(404);
    const bulk = JSON.parse((await as('op1', 'POST', '/api/alarms/ack', { ids: [b2Alarm.id, b1Alarm.id] })).body) as { results: Array<{ id: string; ok: boolean }> };
    expect(bulk.results).toEqual([expect.objectContaining({ id: b2Alarm.id, ok: false }), expect.objectContaining({ id: b1Alarm.id, ok: true })]);
    expect(gw.alarms.get(b2Alarm.id)?.ackedAt).toBeNull();
    expect((await as('op1', 'PUT', '/api/devices/smoke-b2/mode', { mode: 'maintenance' })).status).toBe(404);
    expect(gw.alarms.deviceModes()).toEqual([]);
    expect((await as('op1', 'PUT', '/api/devices/smoke-b1/mode', { mode: 'maintenance', reason: 'cleaning' })).status).toBe(200);
    expect((await json<{ devices: unknown[] }>('eng2', '/api/device-modes')).devices).toEqual([]);
    expect((await json<{ devices: unknown[] }>('op', '/api/device-modes')).devices).toHaveLength(1);
    expect((await as('op1', 'PUT', '/api/devices/smoke-b1/mode', { mode: 'in_service' })).status).toBe(200);
  });

  it('work orders: lists, reads and acts only within the scope; site-wide figures are refused', async () => {
    const mk = async (device: string) => JSON.parse((await as('op', 'POST', '/api/work-orders', { device, trade: 'fire', priority: 3, title: `check ${device}` })).body) as { id: number };
    const o1 = await mk('smoke-b1');
    const o2 = await mk('smoke-b2');
    const list = await json<{ workOrders: Array<{ id: number }> }>('op1', '/api/work-orders');
    expect(list.workOrders.map((o) => o.id)).toContain(o1.id);
    expect(list.workOrders.map((o) => o.id)).not.toContain(o2.id);
    expect((await as('op1', 'GET', `/api/work-orders/${o2.id}`)).status).toBe(404);
    expect((await as('op1', 'POST', `/api/work-orders/${o2.id}/notes`, { note: 'not mine' })).status).toBe(404);
    expect(gw.workOrders?.get(o2.id).journal.some((j) => j.note === 'not mine')).toBe(false);
    expect((await as('op1', 'POST', `/api/work-orders/${o1.id}/notes`, { note: 'mine' })).status).toBe(200);
    expect((await as('op1', 'POST', '/api/work-orders', { device: 'smoke-b2', trade: 'fire', priority: 3, title: 'x' })).status).toBe(400);
    expect((await as('op1', 'GET', '/api/work-orders/kpis')).status).toBe(403);
    expect((await as('op1', 'GET', '/api/work-orders/stats')).status).toBe(403);
    expect((await as('op', 'GET', '/api/work-orders/kpis')).status).toBe(200);
  });

  it('uptime: the fleet and reports of the scope only', async () => {
    const fleet = await json<{ fleet: { devices: number }; devices: Array<{ device: string }> }>('op1', '/api/uptime/fleet');
    expect(fleet.devices.map((d) => d.device)).toEqual(['smoke-b1']);
    expect(fleet.fleet.devices).toBe(1);
    const report = await as('op1', 'GET', '/api/uptime/report');
    expect(report.status).toBe(200);
    expect((JSON.parse(report.body) as { devices: Array<{ device: string }> }).devices.map((d) => d.device)).toEqual(['smoke-b1']);
    expect((await as('op1', 'GET', '/api/uptime/report?building=b2')).status).toBe(400);
    expect((await as('op1', 'GET', '/api/uptime/devices/smoke-b2/intervals')).status).toBe(404);
    expect((await as('op1', 'GET', '/api/uptime/monthly')).status).toBe(403);
    expect((await json<{ devices: unknown[] }>('ada', '/api/uptime/fleet')).devices).toHaveLength(2);
  });

  it('the live stream carries only the scope’s samples and alarms', async () => {
    let text = '';
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/events', headers: { cookie: cookies.op1 as string } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
    });
    req.end();
    try {
      await waitFor(() => text.includes('event: hello'), 10_000, 'the stream');
      for (let i = 2; i < 5; i++) {
        for (const id of ['smoke-b2', 'smoke-b1']) await client.publishAsync(`test/smoke/${id}`, JSON.stringify({ obscuration_pct_m: 0.1, alarm: false, battery_pct: 90, tamper: false, heartbeat: i }), { qos: 1 });
      }
      await waitFor(() => text.includes('"device":"smoke-b1"') && text.includes('event: alarm'), 10_000, 'b1 samples and alarm events');
      // the b2 samples were published first each time: had they passed, they would be here by now
      expect(text).not.toContain('smoke-b2');
    } finally {
      req.destroy();
    }
  });

  it('a building scope naming an unknown building, or on an admin, is a config error', () => {
    expect(() => validateConfig(site(dir.path, [{ username: 'x', role: 'operator', passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', buildings: ['b9'] }]))).toThrow(ConfigError);
    expect(() => validateConfig(site(dir.path, [{ username: 'x', role: 'admin', passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', buildings: ['b1'] }]))).toThrow(/only operator and engineer/);
  });
});
