/**
 * Life-safety alarms cannot be hidden by one person: through the API with real accounts, an
 * operator's request to shelve a priority-1 fire alarm is refused (403 SHELVE_NOT_ALLOWED); an
 * admin's is limited to 30 minutes, needs a reason and is journaled; while shelved the alarm is in
 * the `hiddenLifeSafety` strip. A life-safety device put in maintenance is listed and journaled.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device, harness, type Harness } from '../../rules/harness.ts';

const MIN = 60_000;
const devices = [device('fp1', 'fire_panel', 'b1', 'F1', 2), device('d1', 'access_door', 'b1', 'F1')];
let h: Harness;
let app: FastifyInstance;
let passwordHash = '';

beforeEach(async () => {
  h = harness({
    devices,
    rulePacks: ['fire_panel'],
    rules: [{ id: 'forced', title: 'Door forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2 }],
  });
  passwordHash ||= await testPasswordHash('s3cret-pw');
  const users = (['operator', 'admin', 'engineer'] as const).map((role) => ({ username: role, role, passwordHash }));
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
  expect(login.statusCode).toBe(200);
  return { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
}

const fire = (h: Harness) => {
  h.push('fp1', 'zone_2_state', 'fire');
  const a = h.service.active({ priority: [1] })[0];
  expect(a).toMatchObject({ rule: 'fire.zone-fire/zone_2_state', lifeSafety: true, priority: 1 });
  return a?.id as string;
};

describe('shelving a life-safety alarm', () => {
  it('refuses an operator with 403 SHELVE_NOT_ALLOWED and a message saying why; the alarm stays in the list', async () => {
    const id = fire(h);
    const res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, cookies: await as('operator'), payload: { reason: 'detector test', duration: '15m' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('SHELVE_NOT_ALLOWED');
    expect(res.json().error.message).toMatch(/life-safety alarm "Fire zone 2 in fire" cannot be shelved by an operator; only an admin may, with a reason, for at most 30 min/);
    expect(h.service.get(id)?.shelved).toBeNull();
    expect(h.service.journal(id).map((j) => j.type)).toEqual(['raised']);
  });

  it('lets an admin shelve it with a reason for at most 30 minutes, journaled, and keeps it in the strip', async () => {
    const id = fire(h);
    const admin = await as('admin');
    let res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, cookies: admin, payload: { reason: 'detector test', duration: '1h' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^duration: life-safety alarm .* at most 30 min \(alarms.shelving.lifeSafety\)/);
    res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, cookies: admin, payload: { duration: '10m' } });
    expect(res.statusCode).toBe(400);
    res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, cookies: admin, payload: { reason: 'zone 2 detector test with the fire brigade', duration: '30m' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().shelved).toMatchObject({ by: 'admin', reason: 'zone 2 detector test with the fire brigade', until: h.clock.now() + 30 * MIN });
    const shelved = h.service.journal(id).at(-1);
    expect(shelved).toMatchObject({ type: 'shelved', by: 'admin' });
    expect(shelved?.text).toMatch(/zone 2 detector test.*admin shelved a life-safety alarm for 30 min/);

    const list = (await app.inject({ url: '/api/alarms', cookies: await as('engineer') })).json();
    expect(list.hiddenLifeSafety.map((a: { id: string }) => a.id)).toEqual([id]);
    h.advance(30 * MIN);
    expect(h.service.get(id)?.shelved).toBeNull();
    expect((await app.inject({ url: '/api/alarms', cookies: admin })).json().hiddenLifeSafety).toEqual([]);
  });

  it('an ordinary priority-2 alarm is still shelved by an operator, up to alarms.maxShelve', async () => {
    h.push('d1', 'forced_open', true);
    const id = h.service.active({ priority: [2] })[0]?.id as string;
    const res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, cookies: await as('operator'), payload: { reason: 'contractor on site', duration: '8h' } });
    expect(res.statusCode).toBe(200);
  });

  it('policy per rule and per priority is configurable', () => {
    const open: Harness[] = [];
    try {
      const strict = harness({
        devices,
        rulePacks: ['fire_panel'],
        rules: [{ id: 'forced', title: 'Door forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2 }],
        settings: { shelving: { lifeSafety: { who: 'nobody' }, priorities: { '2': { who: 'operator', max: '1h' } }, rules: { 'fire.battery-low': { who: 'admin' } } } },
      });
      open.push(strict);
      strict.push('fp1', 'zone_1_state', 'fire');
      const fireId = strict.service.active({ priority: [1] })[0]?.id as string;
      expect(() => strict.service.shelve(fireId, 'root', 'test', MIN, 'admin')).toThrow(/cannot be shelved \(alarms.shelving.lifeSafety\)/);
      strict.push('d1', 'forced_open', true);
      const doorId = strict.service.active({ priority: [2] })[0]?.id as string;
      expect(() => strict.service.shelve(doorId, 'op', 'test', 2 * 3_600_000)).toThrow(/at most 1 h \(alarms.shelving.priorities.2\)/);
      expect(strict.service.shelve(doorId, 'op', 'test', 3_600_000).shelved?.by).toBe('op');
    } finally {
      for (const x of open) x.close();
    }
  });
});

describe('maintenance mode of a life-safety device', () => {
  it('is listed for the strip with the life-safety flag, journaled, and its fire alarm is in the strip as suppressed', async () => {
    const op = await as('operator');
    let res = await app.inject({ method: 'PUT', url: '/api/devices/fp1/mode', cookies: op, payload: { mode: 'maintenance', reason: 'annual panel service' } });
    expect(res.statusCode).toBe(200);
    await app.inject({ method: 'PUT', url: '/api/devices/d1/mode', cookies: op, payload: { mode: 'maintenance', reason: 'new lock' } });
    h.push('fp1', 'zone_1_state', 'fire');
    const list = (await app.inject({ url: '/api/alarms', cookies: op })).json();
    expect(list.lifeSafetyModes).toEqual([{ device: 'fp1', mode: 'maintenance', by: 'operator', reason: 'annual panel service', since: h.clock.now(), until: null, lifeSafety: true }]);
    expect(list.hiddenLifeSafety).toHaveLength(1);
    expect(list.hiddenLifeSafety[0]).toMatchObject({ device: 'fp1', suppressed: true, shelved: null });
    res = await app.inject({ method: 'PUT', url: '/api/devices/fp1/mode', cookies: op, payload: { mode: 'in_service', reason: 'done' } });
    const log = (await app.inject({ url: '/api/device-modes/log?device=fp1', cookies: op })).json();
    expect(log.entries.map((e: { mode: string; by: string }) => `${e.mode}:${e.by}`)).toEqual(['in_service:operator', 'maintenance:operator']);
  });
});
