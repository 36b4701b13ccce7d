/**
 * The bypasses of issue #12, as an attacker sends them: percent-encoded, double-slash, trailing-dot,
 * case-changed and `..` paths to real routes, over a real socket (no client-side normalisation).
 * Access is decided on the matched route, so every one of them is refused, and a refused change
 * changes nothing and is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTOR_TOKEN, rawRequest, startSecuredGateway, type SecuredGateway } from './secured-gateway.ts';

const VARIANTS: ReadonlyArray<(p: string) => string> = [
  (p) => p.replace('/api/', '/%61pi/'),
  (p) => p.replace('/api/', '/%61%70%69/'),
  (p) => p.replace('/api/', '/ap%69/'),
  (p) => `/${p}`,
  (p) => p.replace('/api/', '/api//'),
  (p) => `${p}.`,
  (p) => p.replace('/api/', '/api./'),
  (p) => p.replace('/api/', '/API/'),
  (p) => p.replace('/api/', '/Api/'),
  (p) => `/x/..${p}`,
  (p) => p.replace('/api/', '/api/x/../'),
  (p) => p.replace('/api/', '/./api/'),
  (p) => p.replace('/api/', '/api%2F'),
];

const TARGETS: ReadonlyArray<[string, string, string?]> = [
  ['GET', '/api/devices'],
  ['GET', '/api/devices/smoke-1'],
  ['GET', '/api/devices/smoke-1/points/alarm/history'],
  ['GET', '/api/events'],
  ['GET', '/api/alarms'],
  ['GET', '/api/alarms/stream'],
  ['GET', '/api/health'],
  ['GET', '/api/site'],
  ['GET', '/api/auth/me'],
  ['GET', '/api/work-orders'],
  ['GET', '/api/uptime/fleet'],
  ['PUT', '/api/devices/smoke-1/mode', JSON.stringify({ mode: 'maintenance', reason: 'silenced' })],
  ['POST', '/api/work-orders', JSON.stringify({ device: 'smoke-1', trade: 'fire', priority: 1, title: 'fake' })],
  ['POST', '/api/alarms/ack', JSON.stringify({ ids: ['a'] })],
  ['GET', '/api/contractor/work-orders'],
];

describe('path tricks on every kind of route', () => {
  let s: SecuredGateway;
  beforeAll(async () => {
    s = await startSecuredGateway();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('GET /%61pi/devices and /%61pi/events answer 401 without a login (the reported bypass)', async () => {
    const devices = await rawRequest(s.port, 'GET', '/%61pi/devices');
    expect(devices.status).toBe(401);
    expect(devices.body).not.toContain('smoke-1');
    const events = await rawRequest(s.port, 'GET', '/%61pi/events');
    expect(events.status).toBe(401);
    expect(events.headers['content-type']).not.toMatch(/event-stream/);
  });

  it('every variant of every target is refused to an anonymous caller', async () => {
    const leaks: string[] = [];
    for (const [method, path, body] of TARGETS) {
      for (const variant of VARIANTS) {
        const url = variant(path);
        const res = await rawRequest(s.port, method, url, {}, body);
        if (res.status !== 401) leaks.push(`${method} ${url} → ${res.status}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('a contractor cannot silence a smoke detector or create work orders through an encoded path', async () => {
    const before = s.gw.accounts.audit.list({ username: 'cai' }).length;
    for (const variant of VARIANTS) {
      const mode = await rawRequest(s.port, 'PUT', variant('/api/devices/smoke-1/mode'), { cookie: s.cookies.contractor }, JSON.stringify({ mode: 'maintenance', reason: 'x' }));
      expect([403, 404], variant('/api/devices/smoke-1/mode')).toContain(mode.status);
      const order = await rawRequest(s.port, 'POST', variant('/api/work-orders'), { cookie: s.cookies.contractor }, JSON.stringify({ device: 'smoke-1', trade: 'fire', priority: 1, title: 'fake' }));
      expect([403, 404], variant('/api/work-orders')).toContain(order.status);
      // the contractor's API token opens only the contractor's own API
      const byToken = await rawRequest(s.port, 'PUT', variant('/api/devices/smoke-1/mode'), { authorization: `Bearer ${CONTRACTOR_TOKEN}` }, JSON.stringify({ mode: 'maintenance', reason: 'x' }));
      expect(byToken.status).toBe(401);
    }
    expect(s.gw.alarms.deviceModes()).toEqual([]);
    expect(s.gw.workOrders?.list({ limit: 100 })).toEqual([]);
    // the refusals that reached a route are in the audit log with the address
    const refused = s.gw.accounts.audit.list({ username: 'cai' }).slice(0, s.gw.accounts.audit.list({ username: 'cai' }).length - before);
    expect(refused.some((e) => e.action === 'refused' && e.target === 'PUT /api/devices/:id/mode' && e.address === '127.0.0.1')).toBe(true);
  });

  it('an operator may still use the same encoded path (it is the same route), and the change is audited with role and address', async () => {
    const res = await rawRequest(s.port, 'PUT', '/%61pi/devices/door-1/mode', { cookie: s.cookies.operator, origin: `http://127.0.0.1:${s.port}` }, JSON.stringify({ mode: 'maintenance', reason: 'lock swap' }));
    expect(res.status).toBe(200);
    const row = s.gw.accounts.audit.list({ username: 'olga' }).find((e) => e.action === 'PUT /api/devices/:id/mode');
    expect(row).toMatchObject({ target: 'door-1', role: 'operator', address: '127.0.0.1', detail: { mode: 'maintenance' } });
    expect((await rawRequest(s.port, 'PUT', '/api/devices/door-1/mode', { cookie: s.cookies.operator, origin: `http://127.0.0.1:${s.port}` }, JSON.stringify({ mode: 'in_service' }))).status).toBe(200);
  });
});
