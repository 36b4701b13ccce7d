/** Alarm history: journal search with every filter, pagination, building scopes, CSV and XLSX exports read back. */
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device, harness, type Harness } from '../../rules/harness.ts';

const MIN = 60_000;
const devices = [device('pu-1', 'pump', 'b1', 'F1'), device('pu-2', 'pump', 'b1', 'F2'), device('door-9', 'access_door', 'b2', 'F1')];
let h: Harness;
let app: FastifyInstance;
let t0 = 0;
const cookies: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  h = harness({
    devices,
    rules: [
      { id: 'pump.trip', title: 'Pump tripped', scope: { kind: 'pump' }, when: { type: 'state', point: 'tripped', equals: true }, priority: 2 },
      { id: 'door.forced', title: 'Door forced open', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 1 },
    ],
  });
  t0 = h.clock.now();
  h.push('pu-1', 'tripped', true);
  h.advance(MIN);
  h.push('pu-2', 'tripped', true);
  h.advance(MIN);
  h.push('door-9', 'forced_open', true);
  h.advance(MIN);
  const trip = h.service.active({ device: 'pu-1' })[0]?.id as string;
  h.service.acknowledge(trip, 'op', '=HYPERLINK("x"), check seal, ok');
  h.advance(MIN);
  h.push('pu-1', 'tripped', false); // cleared → normal
  const passwordHash = await testPasswordHash('s3cret-pw');
  const users = [
    { username: 'op', role: 'operator' as const, passwordHash },
    { username: 'op-b2', role: 'operator' as const, passwordHash, buildings: ['b2'] },
  ];
  const accounts = new Accounts(openSqlite(':memory:'), h.clock, { users, sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: MIN });
  app = await buildApp(testApiDeps({ accounts, devices: () => devices, now: () => h.clock.now(), alarms: h.service }), silentLogger());
  await app.ready();
  for (const u of ['op', 'op-b2']) {
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 's3cret-pw' } });
    cookies[u] = { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
  }
});
afterAll(async () => {
  await app?.close();
  h?.close();
});

interface Page {
  total: number;
  page: number;
  rows: Array<{ seq: number; type: string; device: string; building: string; toState: string; alarmId: string; text: string | null; title: string }>;
}
const get = async (query: string, user = 'op') => {
  const res = await app.inject({ url: `/api/alarms/journal?${query}`, cookies: cookies[user] ?? {} });
  return { status: res.statusCode, body: res.json() as Page };
};

describe('GET /api/alarms/journal', () => {
  it('finds rows by every filter, newest first', async () => {
    const all = await get('');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(5); // 3 raised, 1 acknowledged, 1 cleared
    expect(all.body.rows.map((r) => r.seq)).toEqual([...all.body.rows.map((r) => r.seq)].sort((a, b) => b - a));
    expect((await get('building=b1')).body.rows.every((r) => r.building === 'b1')).toBe(true);
    expect((await get('floor=F2')).body.rows.map((r) => r.device)).toEqual(['pu-2']);
    expect((await get('kind=access_door')).body.rows.map((r) => r.device)).toEqual(['door-9']);
    expect((await get('device=pu-1')).body.rows.map((r) => r.type)).toEqual(['cleared', 'acknowledged', 'raised']);
    expect((await get('priority=1')).body.rows.map((r) => r.title)).toEqual(['Door forced open']);
    expect((await get('state=normal')).body.rows.map((r) => r.type)).toEqual(['cleared']);
    expect((await get('text=SEAL')).body.rows.map((r) => r.type)).toEqual(['acknowledged']);
    expect((await get('text=50%25')).body.total).toBe(0); // % is a character, not a wildcard
    expect((await get(`from=${t0 + MIN}&to=${t0 + 3 * MIN}`)).body.rows.map((r) => r.device)).toEqual(['door-9', 'pu-2']);
  });

  it('paginates', async () => {
    const p1 = await get('pageSize=4&page=1');
    const p2 = await get('pageSize=4&page=2');
    expect(p1.body.rows).toHaveLength(4);
    expect(p2.body.rows).toHaveLength(1);
    expect(new Set([...p1.body.rows, ...p2.body.rows].map((r) => r.seq)).size).toBe(5);
  });

  it('keeps a building-scoped account to its buildings and names bad filters', async () => {
    expect((await get('', 'op-b2')).body.rows.map((r) => r.device)).toEqual(['door-9']);
    expect((await get('building=b1', 'op-b2')).status).toBe(404);
    const bad = await app.inject({ url: '/api/alarms/journal?priority=9', cookies: cookies.op ?? {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('priority');
    expect((await app.inject({ url: '/api/alarms/journal' })).statusCode).toBe(401);
  });
});

describe('GET /api/alarms/journal/export', () => {
  it('streams CSV with a BOM, quoted fields and formula cells defused', async () => {
    const res = await app.inject({ url: '/api/alarms/journal/export?format=csv&device=pu-1', cookies: cookies.op ?? {} });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="alarm-journal-.*\.csv"/);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('seq,time,alarm,type,from_state,to_state,by,text,rule,title,device,kind,building,floor,priority');
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['raised', 'acknowledged', 'cleared']); // oldest first
    expect(lines[2]).toContain(`,"'=HYPERLINK(""x""), check seal, ok",`); // quoted, and no formula for a spreadsheet
  });

  it('streams an XLSX workbook that reads back with the same rows', async () => {
    const res = await app.inject({ url: '/api/alarms/journal/export?format=xlsx', cookies: cookies['op-b2'] ?? {} });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('alarm journal');
    const values = (sheet?.getSheetValues() ?? []).filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(values[0]).toEqual(['seq', 'time', 'alarm', 'type', 'from_state', 'to_state', 'by', 'text', 'rule', 'title', 'device', 'kind', 'building', 'floor', 'priority']);
    expect(values.slice(1).map((r) => [r[3], r[10], r[12], r[14]])).toEqual([['raised', 'door-9', 'b2', 1]]);
  });
});
