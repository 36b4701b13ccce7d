import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/api/build-app.ts';
import type { ApiDeps } from '../../../gateway/api/api-deps.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { startUptime, type UptimeService } from '../../../rules/uptime/index.ts';
import { uptimeSchema } from '../../../rules/uptime/uptime-schema.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { tempDir } from '../../support/temp-dir.ts';

const MIN = 60_000;
const H = 60 * MIN;
/** 2026-11-02 00:00 Asia/Shanghai */
const DAY2 = Date.UTC(2026, 10, 1, 16);

const devices: DeviceInfo[] = [
  { id: 'pump-1', name: '1号泵', kind: 'pump', location: { site: 's', building: 'b1', floor: 'B1' }, connector: 'sim' },
  { id: 'door-1', name: 'Door 1', kind: 'access_door', location: { site: 's', building: 'b2', floor: 'F1' }, connector: 'sim' },
];

describe('uptime API', () => {
  const dir = tempDir('uptime-api-');
  const clock = new VirtualClock(DAY2);
  let service: UptimeService;
  let app: FastifyInstance;

  beforeAll(async () => {
    service = startUptime({
      config: uptimeSchema.parse({ monthlyReport: { enabled: false } }),
      site: { id: 's', name: '示范小区', timezone: 'Asia/Shanghai' },
      devices: devices.map((info) => ({ info, offlineAfter: 7 * H })),
      clock,
      log: silentLogger(),
      dbFile: `${dir.path}/gateway.db`,
      reportsDir: `${dir.path}/reports`,
    });
    const sample = (device: string, point: string, value: boolean) => service.push([{ device, point, value, ts: clock.now(), quality: 'good' }]);
    sample('pump-1', 'tripped', false);
    sample('door-1', 'reader_online', true);
    clock.advance(6 * H);
    sample('pump-1', 'tripped', true);
    sample('door-1', 'reader_online', true);
    clock.advance(30 * MIN);
    sample('pump-1', 'tripped', false);
    sample('door-1', 'reader_online', true);
    clock.advance(H + 30 * MIN); // now: 08:00 local on 2 Nov
    sample('pump-1', 'tripped', false);
    sample('door-1', 'reader_online', true);
    const deps = apiDeps(new Accounts(openSqlite(':memory:'), clock, { users: [], sessionTtl: H, maxLoginAttempts: 5, loginWindow: MIN }));
    app = await buildApp(deps, silentLogger());
  });

  const apiDeps = (accounts: Accounts): ApiDeps =>
    testApiDeps({ accounts, site: { id: 's', name: '示范小区', timezone: 'Asia/Shanghai' }, devices: () => devices, now: () => clock.now(), uptime: service.facade });

  afterAll(async () => {
    await app.close();
    service.stop();
    dir.cleanup();
  });

  const get = (url: string) => app.inject({ url });

  it('reports a day in the site time zone, stopping at now', async () => {
    const res = await get('/api/uptime/report?period=day&date=2026-11-02');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.range).toEqual({ from: DAY2, to: DAY2 + 24 * H, evaluatedTo: DAY2 + 8 * H, label: '2026-11-02' });
    const pump = body.devices.find((d: { device: string }) => d.device === 'pump-1');
    expect(pump).toMatchObject({ faultMs: 30 * MIN, faults: 1, basisMs: 8 * H, downtimeMinutes: 30, mttrMs: 30 * MIN, mtbfMs: 7.5 * H });
    expect(pump.availabilityPct).toBeCloseTo((100 * 7.5) / 8, 10);
    expect(body.kinds.map((k: { key: string }) => k.key)).toEqual(['access_door', 'pump']);
    expect(body.worst.map((d: { device: string }) => d.device)).toEqual(['pump-1']);
    expect(body.fleet).toMatchObject({ devices: 2, inGoodOrder: 2, sharePct: 100, targetPct: 95 });
  });

  it('a range cutting the fault counts only its part; filters by building and kind', async () => {
    const res = await get(`/api/uptime/report?from=${DAY2 + 6 * H + 10 * MIN}&to=${new Date(DAY2 + 7 * H).toISOString()}&building=b1`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.devices).toHaveLength(1);
    expect(body.devices[0]).toMatchObject({ device: 'pump-1', faultMs: 20 * MIN, faults: 0, faultEpisodesInRange: 1, basisMs: 50 * MIN });
    expect((await get('/api/uptime/report?kind=access_door')).json().devices.map((d: { device: string }) => d.device)).toEqual(['door-1']);
    const one = (await get('/api/uptime/report?period=week&date=2026-11-04&device=pump-1')).json();
    expect(one.devices.map((d: { device: string }) => d.device)).toEqual(['pump-1']);
    expect(one.range).toMatchObject({ from: DAY2, to: DAY2 + 7 * 24 * H, label: 'week of 2026-11-04' }); // Monday 2 Nov to Monday 9 Nov
  });

  it('empty and future ranges answer with no availability', async () => {
    const empty = (await get(`/api/uptime/report?from=${DAY2 + H}&to=${DAY2 + H}`)).json();
    expect(empty.siteFigures).toMatchObject({ spanMs: 0, availabilityPct: null });
    const future = (await get('/api/uptime/report?period=month&date=2027-01')).json();
    expect(future.siteFigures).toMatchObject({ spanMs: 0, availabilityPct: null, futureMs: 31 * 24 * H * 2 });
    expect(future.devices[0].availabilityPct).toBeNull();
  });

  it.each([
    ['from=2026-11-03&to=2026-11-02', 'from'],
    ['from=yesterday', 'from'],
    ['to=12', 'from'],
    ['period=fortnight', 'period'],
    ['period=day&from=1', 'period'],
    ['period=day&date=2026-02-30', 'date'],
    ['period=month&date=2026-13', 'date'],
    ['date=2026-11-01', 'date'],
    ['top=0', 'top'],
    ['kind=toaster', 'kind'],
    ['building=b9', 'building'],
    ['device=pump-9', 'device'],
    ['format=pdf', 'format'],
    ['format=html&lang=fr', 'lang'],
  ])('?%s → 400 naming %s', async (query, param) => {
    const res = await get(`/api/uptime/report?${query}`);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message.startsWith(`${param}:`), body.error.message).toBe(true);
  });

  it('exports CSV with a row per site, building, kind and device', async () => {
    const res = await get('/api/uptime/report?period=day&date=2026-11-02&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('uptime-2026-11-02.csv');
    const lines = res.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]?.split(',').slice(0, 3)).toEqual(['scope', 'key', 'name']);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['scope', 'site', 'building', 'building', 'kind', 'kind', 'device', 'device']);
    const pump = lines.find((l) => l.startsWith('device,pump-1,'))?.split(',') ?? [];
    expect(pump[2]).toBe('1号泵');
    expect(pump[8]).toBe(((100 * 7.5) / 8).toFixed(4)); // availability_pct
    expect(pump[11]).toBe('30.000'); // unplanned_down_min
  });

  it('prints HTML in Chinese and English', async () => {
    const zh = await get('/api/uptime/report?period=day&date=2026-11-02&format=html');
    expect(zh.headers['content-type']).toContain('text/html');
    expect(zh.body).toContain('设备完好率报告');
    expect(zh.body).toContain('水泵');
    expect(zh.body).toContain('<html lang="zh-CN">');
    const en = await get('/api/uptime/report?period=day&date=2026-11-02&format=html&lang=en');
    expect(en.body).toContain('Equipment uptime report');
    expect(en.body).toContain('93.75');
  });

  it('with accounts configured: operators and engineers read uptime, contractors get 403, strangers 401', async () => {
    const passwordHash = await testPasswordHash('s3cret-pw');
    const users = (['contractor', 'engineer'] as const).map((role) => ({ username: role, role, passwordHash }));
    const guarded = await buildApp(apiDeps(new Accounts(openSqlite(':memory:'), clock, { users, sessionTtl: H, maxLoginAttempts: 5, loginWindow: MIN })), silentLogger());
    try {
      expect((await guarded.inject({ url: '/api/uptime/fleet' })).statusCode).toBe(401);
      const as = async (username: string) => {
        const login = await guarded.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 's3cret-pw' } });
        expect(login.statusCode).toBe(200);
        const cookie = login.cookies.find((c) => c.name === 'fgw_session');
        return guarded.inject({ url: '/api/uptime/report?period=day&date=2026-11-02', cookies: { fgw_session: cookie?.value ?? '' } });
      };
      expect((await as('contractor')).statusCode).toBe(403);
      expect((await as('engineer')).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('serves a device ledger and 404s an unknown device', async () => {
    const res = await get(`/api/uptime/devices/pump-1/intervals?period=day&date=2026-11-02`);
    expect(res.statusCode).toBe(200);
    expect(res.json().intervals).toEqual([
      { state: 'in_service', reason: 'ok', start: DAY2, end: DAY2 + 6 * H },
      { state: 'fault', reason: 'tripped=true', start: DAY2 + 6 * H, end: DAY2 + 6.5 * H },
      { state: 'in_service', reason: 'ok', start: DAY2 + 6.5 * H, end: null },
    ]);
    expect((await get('/api/uptime/devices/nope/intervals')).statusCode).toBe(404);
    const fleet = (await get('/api/uptime/fleet')).json();
    expect(fleet.devices).toHaveLength(2);
    expect((await get('/api/uptime/monthly')).json()).toEqual({ files: [] });
  });
});
