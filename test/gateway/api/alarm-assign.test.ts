/** Assignment (#22.8): an operator assigns an open alarm; the record and the journal show to whom, by whom and when. */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import type { AlarmRecord, JournalEntry } from '../../../rules/alarms/alarm-model.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device, harness, type Harness } from '../../rules/harness.ts';

const MIN = 60_000;
const devices = [device('pu-1', 'pump', 'b1'), device('pu-9', 'pump', 'b2')];
let h: Harness;
let app: FastifyInstance;
let passwordHash = '';

beforeEach(async () => {
  h = harness({ devices, rules: [{ id: 'pump.trip', title: 'Pump tripped', scope: { kind: 'pump' }, when: { type: 'state', point: 'tripped', equals: true }, priority: 2 }] });
  passwordHash ||= await testPasswordHash('s3cret-pw');
  const users = [
    { username: 'op', role: 'operator' as const, passwordHash },
    { username: 'op-b1', role: 'operator' as const, passwordHash, buildings: ['b1'] },
  ];
  const accounts = new Accounts(openSqlite(':memory:'), h.clock, { users, sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: MIN });
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

describe('POST /api/alarms/:id/assign', () => {
  it('records to whom, by whom and when, on the alarm and in its journal', async () => {
    h.push('pu-1', 'tripped', true);
    const id = h.service.active()[0]?.id as string;
    h.advance(3 * MIN);
    const op = await as('op');
    const res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/assign`, cookies: op, payload: { to: 'zhang.wei', comment: 'pump room key at the desk' } });
    expect(res.statusCode).toBe(200);
    expect((res.json() as AlarmRecord).assignee).toEqual({ to: 'zhang.wei', by: 'op', at: h.clock.now() });
    const journal = (await app.inject({ url: `/api/alarms/${id}/journal`, cookies: op })).json() as { journal: JournalEntry[] };
    expect(journal.journal.map((j) => [j.type, j.by, j.text, j.at])).toContainEqual(['assigned', 'op', 'assigned to zhang.wei: pump room key at the desk', h.clock.now()]);
    expect(h.events.at(-1)).toMatchObject({ type: 'assigned', by: 'op' });
  });

  it('names a missing assignee, refuses a closed alarm, and hides other buildings', async () => {
    h.push('pu-1', 'tripped', true);
    h.push('pu-9', 'tripped', true);
    const [b1, b2] = ['pu-1', 'pu-9'].map((d) => h.service.active({ device: d })[0]?.id as string);
    const op = await as('op');
    const empty = await app.inject({ method: 'POST', url: `/api/alarms/${b1}/assign`, cookies: op, payload: { to: ' ' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('to');
    const scoped = await as('op-b1');
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${b2}/assign`, cookies: scoped, payload: { to: 'li' } })).statusCode).toBe(404);
    h.service.acknowledge(b1 as string, 'op');
    h.push('pu-1', 'tripped', false); // closed
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${b1}/assign`, cookies: op, payload: { to: 'li' } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `/api/alarms/${b2}/assign`, payload: { to: 'li' } })).statusCode).toBe(401);
  });
});
