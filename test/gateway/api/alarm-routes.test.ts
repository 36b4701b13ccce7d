import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import type { ApiDeps } from '../../../gateway/api/api-deps.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device, harness, type Harness } from '../../rules/harness.ts';

let h: Harness;
let app: FastifyInstance;
const devices = [device('d1', 'access_door', 'b1', 'F1'), device('d2', 'access_door', 'b2', 'F2'), device('s1', 'smoke_detector', 'b1', 'F3')];

beforeEach(async () => {
  h = harness({
    devices,
    rules: [
      { id: 'forced', title: 'Door forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2 },
      { id: 'smoke', title: 'Smoke', scope: { kind: 'smoke_detector' }, when: { type: 'state', point: 'alarm', equals: true }, priority: 1, latching: true },
    ],
  });
  const deps: ApiDeps = testApiDeps({
    devices: () => devices,
    now: () => h.clock.now(),
    alarms: h.service,
  });
  app = await buildApp(deps, silentLogger());
  await app.ready();
});

afterEach(async () => {
  await app.close();
  h.close();
});

const user = { 'x-user': 'alice' };

describe('alarm API', () => {
  it('lists active alarms with filters, and history with a time range', async () => {
    h.push('d1', 'forced_open', true);
    h.push('d2', 'forced_open', true);
    h.push('s1', 'alarm', true);
    let res = await app.inject({ url: '/api/alarms' });
    expect(res.statusCode).toBe(200);
    expect(res.json().alarms).toHaveLength(3);
    expect(res.json().priorities['1']).toMatch(/Emergency/);
    res = await app.inject({ url: '/api/alarms?priority=1,2&kind=access_door&building=b2' });
    expect(res.json().alarms.map((a: { device: string }) => a.device)).toEqual(['d2']);
    res = await app.inject({ url: '/api/alarms?state=active-ack' });
    expect(res.json().alarms).toEqual([]);
    res = await app.inject({ url: '/api/alarms?floor=F3' });
    expect(res.json().alarms.map((a: { device: string }) => a.device)).toEqual(['s1']);
    const raisedAt = h.clock.now();
    res = await app.inject({ url: `/api/alarms/history?from=${raisedAt - 1000}&to=${raisedAt + 1000}` });
    expect(res.json().alarms).toHaveLength(3);
    res = await app.inject({ url: `/api/alarms/history?to=${raisedAt - 1}` });
    expect(res.json().alarms).toHaveLength(0);
  });

  it('400 naming the field for bad filters and bodies', async () => {
    let res = await app.inject({ url: '/api/alarms?priority=9' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/priority/);
    res = await app.inject({ url: '/api/alarms?state=open' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/state/);
    res = await app.inject({ url: '/api/alarms/history?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^from/);
    h.push('d1', 'forced_open', true);
    const id = h.service.active()[0]?.id as string;
    res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, payload: { reason: 'x', duration: 'soon' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/duration/);
    res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, payload: { duration: '1h' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/reason/);
    res = await app.inject({ method: 'POST', url: '/api/alarms/ack', payload: { ids: [] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/ids/);
  });

  it('404 for an unknown alarm; 409 for an impossible transition', async () => {
    let res = await app.inject({ url: '/api/alarms/nope' });
    expect(res.statusCode).toBe(404);
    res = await app.inject({ method: 'POST', url: '/api/alarms/nope/ack', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toMatch(/no alarm "nope"/);
    res = await app.inject({ url: '/api/alarms/nope/journal' });
    expect(res.statusCode).toBe(404);
    h.push('s1', 'alarm', true);
    const id = h.service.active()[0]?.id as string;
    res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/reset`, payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
  });

  it('acknowledge one and many, by the x-user operator', async () => {
    h.push('d1', 'forced_open', true);
    h.push('d2', 'forced_open', true);
    const [a, b] = h.service.active().map((x) => x.id) as [string, string];
    let res = await app.inject({ method: 'POST', url: `/api/alarms/${a}/ack`, headers: user, payload: { comment: 'seen' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'active-ack', ackedBy: 'alice' });
    res = await app.inject({ method: 'POST', url: '/api/alarms/ack', headers: { 'x-user': 'bob' }, payload: { ids: [a, b, 'zz'] } });
    expect(res.json().results).toEqual([
      { id: a, ok: false, error: expect.stringMatching(/already acknowledged/) },
      { id: b, ok: true, state: 'active-ack' },
      { id: 'zz', ok: false, error: 'no alarm "zz"' },
    ]);
    expect(h.service.get(b)?.ackedBy).toBe('bob');
  });

  it('shelve, unshelve, comment, reset, and the journal of one alarm', async () => {
    h.push('s1', 'alarm', true);
    const id = h.service.active()[0]?.id as string;
    let res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/shelve`, headers: user, payload: { reason: 'detector test', duration: '30m' } });
    expect(res.json().shelved).toMatchObject({ by: 'alice', reason: 'detector test', until: h.clock.now() + 1_800_000 });
    res = await app.inject({ method: "POST", url: `/api/alarms/${id}/unshelve`, headers: user });
    expect(res.json().shelved).toBeNull();
    res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/comment`, headers: user, payload: { text: 'called the fire brigade' } });
    expect(res.statusCode).toBe(200);
    h.push('s1', 'alarm', false);
    await app.inject({ method: 'POST', url: `/api/alarms/${id}/ack`, headers: user, payload: {} });
    res = await app.inject({ method: 'POST', url: `/api/alarms/${id}/reset`, headers: user, payload: {} });
    expect(res.json().state).toBe('normal');
    res = await app.inject({ url: `/api/alarms/${id}/journal` });
    expect(res.json().journal.map((j: { type: string }) => j.type)).toEqual(['raised', 'shelved', 'unshelved', 'comment', 'cleared', 'acknowledged', 'reset']);
    expect(res.json().journal[3]).toMatchObject({ by: 'alice', text: 'called the fire brigade' });
  });

  it('device maintenance mode on and off', async () => {
    let res = await app.inject({ method: 'PUT', url: '/api/devices/d1/mode', headers: user, payload: { mode: 'maintenance', reason: 'lock swap' } });
    expect(res.statusCode).toBe(200);
    h.push('d1', 'forced_open', true);
    expect(h.service.active()[0]?.suppressed).toBe(true);
    res = await app.inject({ url: '/api/device-modes' });
    expect(res.json().devices).toMatchObject([{ device: 'd1', mode: 'maintenance', by: 'alice', reason: 'lock swap' }]);
    res = await app.inject({ method: 'PUT', url: '/api/devices/d1/mode', payload: { mode: 'in_service' } });
    expect(h.service.active()[0]?.suppressed).toBe(false);
    res = await app.inject({ method: 'PUT', url: '/api/devices/zz/mode', payload: { mode: 'maintenance' } });
    expect(res.statusCode).toBe(404);
    res = await app.inject({ method: 'PUT', url: '/api/devices/d1/mode', payload: { mode: 'off' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/mode/);
  });
});

describe('alarm API documentation', () => {
  it('appears in the OpenAPI document', async () => {
    const res = await app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths as Record<string, unknown>);
    expect(paths).toEqual(expect.arrayContaining(['/api/alarms', '/api/alarms/{id}/journal', '/api/alarms/{id}/shelve', '/api/devices/{id}/mode']));
  });
});
