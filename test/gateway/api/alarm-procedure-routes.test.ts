/**
 * Response procedures (#22.7): the rule's procedure is shown on the alarm as a checklist; each tick
 * is a journal row with who and when, audited, refused to engineers, scoped to the account's
 * buildings; the demo packs ship procedures for fire, smoke, entrapment and pump trip.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import type { JournalEntry } from '../../../rules/alarms/alarm-model.ts';
import type { AlarmProcedureView } from '../../../rules/alarms/alarm-service.ts';
import { loadRulePacks } from '../../../rules/alarms/config/rule-packs.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device, harness, type Harness } from '../../rules/harness.ts';

const MIN = 60_000;
const devices = [device('pu-1', 'pump', 'b1'), device('pu-9', 'pump', 'b2'), device('sd-1', 'smoke_detector', 'b1')];
let h: Harness;
let app: FastifyInstance;
let accounts: Accounts;
let passwordHash = '';

beforeEach(async () => {
  h = harness({ devices, rulePacks: ['pump', 'smoke_detector'] });
  passwordHash ||= await testPasswordHash('s3cret-pw');
  const users = [
    { username: 'op', role: 'operator' as const, passwordHash },
    { username: 'eng', role: 'engineer' as const, passwordHash },
    { username: 'op-b1', role: 'operator' as const, passwordHash, buildings: ['b1'] },
  ];
  accounts = new Accounts(openSqlite(':memory:'), h.clock, { users, sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: MIN });
  app = await buildApp(testApiDeps({ accounts, devices: () => devices, now: () => h.clock.now(), alarms: h.service }), silentLogger());
  await app.ready();
});
afterEach(async () => {
  await app.close();
  h.close();
});

async function as(username: string): Promise<Record<string, string>> {
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 's3cret-pw' } });
  return { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
}

describe('response procedures on alarms', () => {
  it('shows the pump-trip procedure as a checklist; a tick is journaled with who and when, and audited', async () => {
    h.push('pu-1', 'tripped', true);
    const id = h.service.active({ device: 'pu-1' })[0]?.id as string;
    const op = await as('op');
    const got = (await app.inject({ url: `/api/alarms/${id}/procedure`, cookies: op })).json() as { procedure: AlarmProcedureView };
    expect(got.procedure.rule).toBe('pump.trip');
    expect(got.procedure.cause['zh-CN']).toMatch(/过载/);
    expect(got.procedure.steps.length).toBeGreaterThanOrEqual(4);
    expect(got.procedure.steps.every((s) => !s.done && s.by === null)).toBe(true);

    h.advance(2 * MIN);
    const tick = await app.inject({ method: 'POST', url: `/api/alarms/${id}/procedure/steps/2`, cookies: op, payload: { done: true } });
    expect(tick.statusCode).toBe(200);
    const after = (tick.json() as { procedure: AlarmProcedureView }).procedure;
    expect(after.steps[1]).toMatchObject({ step: 2, done: true, by: 'op', at: h.clock.now() });
    expect(after.steps.filter((s) => s.done)).toHaveLength(1);

    const journal = (await app.inject({ url: `/api/alarms/${id}/journal`, cookies: op })).json() as { journal: JournalEntry[] };
    const row = journal.journal.find((j) => j.type === 'procedure-step');
    expect(row).toMatchObject({ by: 'op', at: h.clock.now(), values: { step: 2, done: true } });
    expect(row?.text).toContain(got.procedure.steps[1]?.text.en);
    expect(h.events.at(-1)).toMatchObject({ type: 'procedure-step', by: 'op' });
    expect(accounts.audit.list({}).filter((e) => e.action === 'POST /api/alarms/:id/procedure/steps/:step').map((e) => [e.username, e.target, e.detail])).toEqual([['op', id, { done: true }]]);

    // untick: the last row wins
    h.advance(MIN);
    await app.inject({ method: 'POST', url: `/api/alarms/${id}/procedure/steps/2`, cookies: op, payload: { done: false } });
    const reread = (await app.inject({ url: `/api/alarms/${id}/procedure`, cookies: op })).json() as { procedure: AlarmProcedureView };
    expect(reread.procedure.steps[1]).toMatchObject({ done: false, by: 'op', at: h.clock.now() });
  });

  it('refuses engineers, a step out of range, a repeated tick, other buildings; a rule without procedure says so', async () => {
    h.push('pu-1', 'tripped', true);
    h.push('pu-9', 'tripped', true);
    h.push('sd-1', 'battery_pct', 5);
    const [b1, b2] = ['pu-1', 'pu-9'].map((d) => h.service.active({ device: d })[0]?.id as string);
    const battery = h.service.active({ device: 'sd-1' })[0]?.id as string;
    const op = await as('op');
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${b1}/procedure/steps/1`, cookies: await as('eng'), payload: { done: true } })).statusCode).toBe(403);
    const wrong = await app.inject({ method: 'POST', url: `/api/alarms/${b1}/procedure/steps/29`, cookies: op, payload: { done: true } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('step');
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${b1}/procedure/steps/1`, cookies: op, payload: { done: true } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${b1}/procedure/steps/1`, cookies: op, payload: { done: true } })).statusCode).toBe(409);
    const scoped = await as('op-b1');
    expect((await app.inject({ url: `/api/alarms/${b2}/procedure`, cookies: scoped })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${b2}/procedure/steps/1`, cookies: scoped, payload: { done: true } })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/alarms/${battery}/procedure`, cookies: op })).json()).toEqual({ procedure: null });
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${battery}/procedure/steps/1`, cookies: op, payload: { done: true } })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/alarms/${b1}/procedure` })).statusCode).toBe(401);
  });
});

describe('the default packs', () => {
  it('ship procedures (zh-CN and English) for fire, confirmed fire, smoke, entrapment and pump trip', () => {
    const packs = loadRulePacks(['fire_panel', 'smoke_detector', 'elevator', 'pump']);
    expect(packs.issues).toEqual([]);
    for (const id of ['fire.zone-fire', 'fire.confirmed', 'smoke.alarm', 'elevator.entrapment', 'pump.trip']) {
      const p = packs.rules.find((r) => r.rule.id === id)?.rule.procedure;
      expect(p, id).toBeDefined();
      expect(p?.steps.length, id).toBeGreaterThanOrEqual(4);
      expect(p?.call.length, id).toBeGreaterThanOrEqual(1);
      for (const t of [p?.cause, p?.consequence, ...(p?.steps ?? [])]) expect(/[\u4e00-\u9fff]/.test(t?.['zh-CN'] ?? '') && /[a-z]/.test(t?.en ?? ''), id).toBe(true);
    }
  });
});
