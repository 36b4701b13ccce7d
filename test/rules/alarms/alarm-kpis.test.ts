/**
 * Alarm KPIs: a day and a half of a small site on the VirtualClock (seeded random trips, runs,
 * vibration, a flood burst, chattering, fleeting alarms, acknowledgements, a shelf, maintenance mode,
 * a standing alarm) is journaled by the real alarm service; `GET /api/alarms/kpis` must equal what
 * this test recomputes on its own from the raw journal rows in SQLite.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import type { AlarmKpis } from '../../../rules/alarms/alarm-kpis.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device, harness, type Harness } from '../harness.ts';
import { expectKpisEqual, recomputeKpis } from './kpi-recompute.ts';
import { SeededRandom } from '../../../simulators/seeded-random.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const devices = [device('pu-1', 'pump', 'b1'), device('pu-2', 'pump', 'b1'), device('pu-3', 'pump', 'b1'), device('pu-9', 'pump', 'b2')];
let h: Harness;
let app: FastifyInstance;
let from = 0;
let to = 0;
let cookies: Record<string, Record<string, string>> = {};

/** A seeded generator: the same sequence every run. */
function random(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}

beforeAll(async () => {
  h = harness({
    devices,
    rules: [
      { id: 'pump.trip', title: 'Pump tripped', scope: { kind: 'pump' }, when: { type: 'state', point: 'tripped', equals: true }, priority: 1 },
      { id: 'pump.vib', title: 'High vibration', scope: { kind: 'pump' }, when: { type: 'threshold', point: 'vibration_mm_s', above: 7 }, priority: 2 },
      { id: 'pump.run', title: 'Pump running', scope: { kind: 'pump' }, when: { type: 'state', point: 'running', equals: true }, priority: 3 },
      { id: 'pump.cur', title: 'Motor current high', scope: { kind: 'pump' }, when: { type: 'threshold', point: 'motor_current_a', above: 50 }, priority: 4 },
    ],
  });
  const rnd = random(22);
  from = h.clock.now();
  to = from + 36 * HOUR;
  h.push('pu-9', 'tripped', true); // stands all the way (never acknowledged)
  const points = ['tripped', 'vibration_mm_s', 'running', 'motor_current_a'] as const;
  const value = (p: (typeof points)[number], on: boolean) => (p === 'vibration_mm_s' ? (on ? 9 : 2) : p === 'motor_current_a' ? (on ? 60 : 20) : on);
  for (let t = 0; t < 36 * HOUR - 20_000; t += 20_000) {
    h.advance(20_000);
    const d = devices[Math.floor(rnd() * 3)]?.id as string; // b1 pumps; pu-9 stays tripped
    const p = points[Math.floor(rnd() * points.length)] as (typeof points)[number];
    if (rnd() < 0.15) h.push(d, p, value(p, rnd() < 0.5));
    if (t === 5 * HOUR) {
      // a burst: every point of the b1 pumps off, on, off, on within seconds (a flood)
      for (const on of [false, true, false, true]) {
        for (const dv of devices.slice(0, 3)) for (const p2 of points) h.push(dv.id, p2, value(p2, on));
        h.advance(1000);
      }
    }
    if (t === 3 * HOUR) {
      h.push('pu-3', 'running', false);
      h.push('pu-3', 'running', true);
      const run = h.service.active().find((a) => a.rule === 'pump.run' && a.device === 'pu-3');
      if (run && run.shelved === null) h.service.shelve(run.id, 'op', 'commissioning', 30 * MIN);
    }
    if (t === 7 * HOUR) h.service.setDeviceMode('pu-2', 'maintenance', 'op', 'bearing change');
    if (t === 9 * HOUR) h.service.setDeviceMode('pu-2', 'in_service', 'op', 'done');
    for (const a of h.service.active()) {
      if (a.device === 'pu-9') continue;
      if ((a.state === 'active-unack' || a.state === 'rtn-unack') && rnd() < 0.3) h.service.acknowledge(a.id, 'op');
      else if (a.state === 'active-unack' && a.priority === 3 && a.shelved === null && rnd() < 0.01) h.service.shelve(a.id, 'op', 'test', 30 * MIN);
    }
  }
  h.advance(20_000);
  const passwordHash = await testPasswordHash('s3cret-pw');
  const users = [
    { username: 'op', role: 'operator' as const, passwordHash },
    { username: 'op-b2', role: 'operator' as const, passwordHash, buildings: ['b2'] },
    { username: 'con', role: 'contractor' as const, passwordHash, contractor: 'x' },
  ];
  const accounts = new Accounts(openSqlite(':memory:'), h.clock, { users, sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: MIN });
  app = await buildApp(testApiDeps({ accounts, devices: () => devices, now: () => h.clock.now(), alarms: h.service }), silentLogger());
  await app.ready();
  for (const u of ['op', 'op-b2']) {
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 's3cret-pw' } });
    cookies[u] = { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  h?.close();
  cookies = {};
});

/** The independent recomputation from the raw journal rows (kpi-recompute.ts). */
const recompute = (building?: string) => recomputeKpis(h.dbFile, from, to, building);

async function kpis(user: string, query: string): Promise<{ status: number; body: AlarmKpis }> {
  const res = await app.inject({ url: `/api/alarms/kpis?${query}`, cookies: cookies[user] ?? {} });
  return { status: res.statusCode, body: res.json() as AlarmKpis };
}

const expectEqual = expectKpisEqual;

describe('GET /api/alarms/kpis', () => {
  it('equals an independent recomputation from the raw journal, with a target and verdict for each figure', async () => {
    const { status, body } = await kpis('op', `from=${from}&to=${to}`);
    expect(status).toBe(200);
    const r = recompute();
    // the scenario exercises every figure
    expect(r.alarms).toBeGreaterThan(100);
    expect(r.peak).toBeGreaterThan(10);
    expect(r.chattering).toBeGreaterThan(0);
    expect(r.fleeting).toBeGreaterThan(0);
    expect(r.standing).toBeGreaterThan(0);
    expect(r.shelved).toBeGreaterThan(0);
    expect(r.suppressed).toBeGreaterThan(0);
    expect(r.ack[1]?.count).toBeGreaterThan(0);
    expectEqual(body, r);
    expect(body.peakTenMinutes).toMatchObject({ verdict: 'over', target: '≤ 10 alarms in any 10 min' });
    expect(body.standing.verdict).toBe('ok');
    expect(body.chattering.verdict).toBe('over');
    expect(body.shelved.verdict).toBe('info');
    expect(body.top10.value.alarms.length).toBeLessThanOrEqual(10);
  });

  it('per building, and a building-scoped account gets only its buildings', async () => {
    const b1 = await kpis('op', `from=${from}&to=${to}&building=b1`);
    expectEqual(b1.body, recompute('b1'));
    const scoped = await kpis('op-b2', `from=${from}&to=${to}`);
    expect(scoped.status).toBe(200);
    expectEqual(scoped.body, recompute('b2'));
    expect((await kpis('op-b2', `from=${from}&to=${to}&building=b1`)).status).toBe(404);
  });

  it('names a bad range', async () => {
    const res = await app.inject({ url: `/api/alarms/kpis?from=${to}&to=${from}`, cookies: cookies.op ?? {} });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('from');
    expect((await app.inject({ url: `/api/alarms/kpis?from=${from}&to=${to}` })).statusCode).toBe(401);
  });
});
