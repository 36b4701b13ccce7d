/**
 * Shift handover over HTTP (#22.4): the report of a shift in the site's time zone, signed by the
 * outgoing operator's account with a note and countersigned by another account; printable HTML in
 * both languages; engineers read, operators sign; accounts limited to buildings are refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import type { HandoverReport } from '../../../rules/handover/handover-report.ts';
import { handoverSchema } from '../../../rules/alarms/config/handover-schema.ts';
import { HandoverService, handoverAlarmSource } from '../../../rules/handover/handover-service.ts';
import type { SignedHandover } from '../../../rules/handover/handover-store.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device, harness, type Harness } from '../../rules/harness.ts';

const MIN = 60_000;
const TZ = 'Asia/Shanghai';
const devices = [device('pu-1', 'pump', 'b1')];
let h: Harness;
let app: FastifyInstance;
let handovers: HandoverService;
let passwordHash = '';

beforeEach(async () => {
  h = harness({ devices, rulePacks: ['pump'], clock: new VirtualClock(Date.parse('2026-03-02T19:30:00+08:00')) });
  passwordHash ||= await testPasswordHash('s3cret-pw');
  const users = [
    { username: 'wang', role: 'operator' as const, passwordHash },
    { username: 'li', role: 'operator' as const, passwordHash },
    { username: 'eng', role: 'engineer' as const, passwordHash },
    { username: 'op-b1', role: 'operator' as const, passwordHash, buildings: ['b1'] },
  ];
  const accounts = new Accounts(openSqlite(':memory:'), h.clock, { users, sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: MIN });
  handovers = new HandoverService({
    settings: handoverSchema.parse({}),
    site: { id: 'test', timezone: TZ },
    clock: h.clock,
    dbFile: h.dbFile,
    alarms: handoverAlarmSource(h.service),
    trouble: () => [{ key: 'storage.disk', source: 'storage', message: 'disk 95 % full', since: h.clock.now() - 3_600_000 }],
  });
  app = await buildApp(testApiDeps({ accounts, devices: () => devices, now: () => h.clock.now(), alarms: h.service, handovers, site: { id: 'test', name: 'Test', timezone: TZ } }), silentLogger());
  await app.ready();
});
afterEach(async () => {
  await app.close();
  handovers.close();
  h.close();
});

async function as(username: string): Promise<Record<string, string>> {
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 's3cret-pw' } });
  return { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
}

describe('shift handover API', () => {
  it('reports the running shift, is signed by the outgoing and countersigned by the incoming account, and prints', async () => {
    h.push('pu-1', 'tripped', true); // 19:30, in the day shift (08:00-20:00 Shanghai)
    const wang = await as('wang');
    const shifts = (await app.inject({ url: '/api/handovers/shifts', cookies: wang })).json() as { current: { id: string; date: string; from: number; to: number } };
    expect(shifts.current).toMatchObject({ id: 'day', date: '2026-03-02', from: Date.parse('2026-03-02T08:00:00+08:00'), to: Date.parse('2026-03-02T20:00:00+08:00') });
    const draft = (await app.inject({ url: '/api/handovers/report', cookies: wang })).json() as HandoverReport;
    expect(draft.alarms.raised.map((a) => a.rule)).toEqual(['pump.trip']);
    expect(draft.alarms.active.map((a) => a.state)).toEqual(['active-unack']);
    expect(draft.trouble.map((t) => t.key)).toEqual(['storage.disk']);
    expect(draft.openSteps[0]?.steps.length).toBeGreaterThanOrEqual(4);

    h.advance(29 * MIN);
    expect((await app.inject({ method: 'POST', url: '/api/handovers', cookies: await as('eng'), payload: { date: '2026-03-02', shift: 'day', note: 'x' } })).statusCode).toBe(403);
    const signed = await app.inject({ method: 'POST', url: '/api/handovers', cookies: wang, payload: { date: '2026-03-02', shift: 'day', note: 'Pump 1 tripped at 19:30, contractor called' } });
    expect(signed.statusCode).toBe(200);
    const s = signed.json() as SignedHandover;
    expect(s.outgoing).toEqual({ by: 'wang', at: h.clock.now(), note: 'Pump 1 tripped at 19:30, contractor called' });
    expect(s.incoming).toBeNull();
    expect((await app.inject({ method: 'POST', url: `/api/handovers/${s.id}/accept`, cookies: wang, payload: { note: 'me' } })).statusCode).toBe(409);
    h.advance(2 * MIN);
    const li = await as('li');
    const accepted = await app.inject({ method: 'POST', url: `/api/handovers/${s.id}/accept`, cookies: li, payload: { note: '已接班' } });
    expect((accepted.json() as SignedHandover).incoming).toEqual({ by: 'li', at: h.clock.now(), note: '已接班' });
    expect((await app.inject({ method: 'POST', url: `/api/handovers/${s.id}/accept`, cookies: li, payload: { note: 'again' } })).statusCode).toBe(409);
    expect(((await app.inject({ url: '/api/handovers', cookies: li })).json() as { handovers: Array<{ id: number }> }).handovers.map((x) => x.id)).toEqual([s.id]);

    const zh = await app.inject({ url: `/api/handovers/${s.id}/print?lang=zh-CN`, cookies: li });
    expect(zh.headers['content-type']).toMatch(/text\/html/);
    expect(zh.body).toContain('交接班记录');
    expect(zh.body).toContain('已接班');
    expect(zh.body).toContain('白班');
    // the records in the reader's language too: the rule's title and the alarm's state
    expect(zh.body).toContain('水泵跳闸');
    expect(zh.body).toContain('报警中，未确认');
    expect(zh.body).not.toContain('Pump tripped');
    expect(zh.body).not.toContain('active-unack');
    const en = await app.inject({ url: `/api/handovers/${s.id}/print?lang=en`, cookies: li });
    expect(en.body).toContain('Alarms still active at the end of the shift (1)');
    expect(en.body).toContain('Pump tripped');
    expect(en.body).toContain('Active, unacknowledged');
  });

  it('names a wrong shift or date, refuses a shift not started and building-limited accounts', async () => {
    const wang = await as('wang');
    const bad = await app.inject({ url: '/api/handovers/report?date=2026-03-02&shift=evening', cookies: wang });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('evening');
    expect((await app.inject({ url: '/api/handovers/report?date=2026-13-02&shift=day', cookies: wang })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/handovers/report?date=2026-03-02', cookies: wang })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/handovers', cookies: wang, payload: { date: '2026-03-03', shift: 'day', note: '' } })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/handovers/report', cookies: await as('op-b1') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/handovers/report' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/handovers/99', cookies: wang })).statusCode).toBe(404);
  });
});
