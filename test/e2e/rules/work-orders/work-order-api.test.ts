import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApiDeps } from '../../../support/api-deps.ts';
import { buildApp } from '../../../../gateway/api/build-app.ts';
import type { ApiDeps } from '../../../../gateway/api/api-deps.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../../gateway/model/clock.ts';
import { hashToken, workOrdersFacade, WorkOrderService } from '../../../../rules/work-orders/index.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { ACME_TOKEN, DEVICES, LIFTCO_TOKEN, pumpTrip, startReceiver, woConfig } from '../../../rules/work-orders/work-order-fixtures.ts';

const OP = { 'x-user': 'alice' };
const asAcme = { authorization: `Bearer ${ACME_TOKEN}` };
const asLiftco = { authorization: `Bearer ${LIFTCO_TOKEN}` };

describe('work-order API', () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let clock: VirtualClock;
  let service: WorkOrderService;
  let app: FastifyInstance;

  beforeEach(async () => {
    dir = tempDir('wo-api-');
    receiver = await startReceiver();
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const config = woConfig(receiver.url);
    // LiftCo's token is stored as a scrypt hash; ACME's in clear.
    const liftco = config.contractors.find((c) => c.id === 'liftco')!;
    delete liftco.token;
    liftco.tokenHash = await hashToken(LIFTCO_TOKEN, { N: 1024, r: 8, p: 1 });
    service = new WorkOrderService({ config, file: join(dir.path, 'gateway.db'), clock, log: silentLogger(), site: { id: 'demo', timezone: 'UTC' }, devices: () => DEVICES });
    service.start();
    const deps: ApiDeps = testApiDeps({
      devices: () => DEVICES,
      now: () => clock.now(),
      workOrders: workOrdersFacade(service),
    });

    app = await buildApp(deps, silentLogger());
  });

  afterEach(async () => {
    await app.close();
    await service.stop();
    await receiver.close();
    dir.cleanup();
  });

  it('a contractor sees and changes only its own orders (403 otherwise)', async () => {
    const pump = (service.onAlarm(pumpTrip()) as { orderId: number }).orderId;
    const lift = service.create({ device: 'elev-b1-1', trade: 'lift', priority: 2, title: 'Door sensor' }, { type: 'operator', id: 'alice' }).id;
    await service.idle();

    const acmeList = await app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: asAcme });
    expect(acmeList.statusCode).toBe(200);
    expect((acmeList.json() as { workOrders: Array<{ id: number }> }).workOrders.map((o) => o.id)).toEqual([pump]);
    const liftList = await app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: asLiftco });
    expect((liftList.json() as { workOrders: Array<{ id: number }> }).workOrders.map((o) => o.id)).toEqual([lift]);

    for (const [method, url] of [
      ['GET', `/api/contractor/work-orders/${lift}`],
      ['POST', `/api/contractor/work-orders/${lift}/acknowledge`],
      ['POST', `/api/contractor/work-orders/${lift}/start`],
    ] as const) {
      const res = await app.inject({ method, url, headers: asAcme, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect((res.json() as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    const note = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${lift}/notes`, headers: asAcme, payload: { note: 'sneaky' } });
    expect(note.statusCode).toBe(403);
    expect(service.get(lift).journal.some((j) => j.note === 'sneaky')).toBe(false);
    expect(service.get(lift).status).toBe('dispatched');

    const ack = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/acknowledge`, headers: asAcme, payload: { note: 'on my way' } });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ id: pump, status: 'acknowledged', acknowledgedAt: clock.now() });
    const resolve = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/resolve`, headers: asAcme, payload: { note: 'relay replaced' } });
    expect(resolve.json()).toMatchObject({ status: 'resolved' });
    const detail = await app.inject({ method: 'GET', url: `/api/contractor/work-orders/${pump}`, headers: asAcme });
    expect((detail.json() as { journal: Array<{ actor: string; action: string }> }).journal.filter((j) => j.actor === 'contractor:acme-pumps').map((j) => j.action)).toEqual(['acknowledge', 'resolve']);
  });

  it('is described in the OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/work-orders', '/api/work-orders/{id}/reassign', '/api/contractor/work-orders/{id}/resolve', '/api/work-orders/kpis']));
  });

  it('lists the configured contractors for reassigning, without their tokens or channels', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/work-orders/contractors', headers: OP });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { contractors: Array<Record<string, unknown>> };
    expect(body.contractors.map((c) => c.id).sort()).toEqual(woConfig('http://x').contractors.map((c) => c.id).sort());
    expect(JSON.stringify(body)).not.toMatch(/token|secret|http:\/\//i);
  });

  it('401 without or with a wrong token', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/contractor/work-orders' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: { authorization: 'Bearer nope-nope-nope-nope' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: { authorization: `Bearer ${LIFTCO_TOKEN}x` } })).statusCode).toBe(401);
  });

  it('wrong tokens are throttled per address: 429 with Retry-After after 10 failures, even for the right token', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: { authorization: `Bearer guess-${i}-xxxxxxxxxxxx` } })).statusCode).toBe(401);
    }
    const limited = await app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: { authorization: `Bearer ${LIFTCO_TOKEN}` } });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('bad requests get 400 naming the field; unknown orders 404; wrong state 409', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['/api/work-orders', { device: 'pump-b1-1', trade: 'pumps', priority: 7, title: 'x' }, /priority/],
      ['/api/work-orders', { device: 'pump-b1-1', trade: 'pumps', priority: 2 }, /title/],
      ['/api/work-orders', { device: 'pump-b1-1', trade: 'no spaces', priority: 2, title: 'x' }, /trade/],
      ['/api/work-orders', { device: 'no-such-pump', trade: 'pumps', priority: 2, title: 'x' }, /^device: unknown device/],
      ['/api/work-orders', { device: 'pump-b1-1', trade: 'pumps', priority: 2, title: 'x', contractor: 'ghost' }, /^contractor: unknown contractor/],
    ];
    for (const [url, payload, message] of cases) {
      const res = await app.inject({ method: 'POST', url, headers: OP, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect((res.json() as { error: { code: string; message: string } }).error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message) });
    }
    const created = await app.inject({ method: 'POST', url: '/api/work-orders', headers: OP, payload: { device: 'pump-b1-1', trade: 'pumps', priority: 2, title: 'Noisy bearing' } });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: number }).id;
    const noReason = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/cancel`, headers: OP, payload: {} });
    expect(noReason.statusCode).toBe(400);
    expect((noReason.json() as { error: { message: string } }).error.message).toMatch(/^reason:/);
    const badResolve = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${id}/resolve`, headers: asAcme, payload: { note: '' } });
    expect(badResolve.statusCode).toBe(400);
    expect((badResolve.json() as { error: { message: string } }).error.message).toMatch(/^note:/);
    const badId = await app.inject({ method: 'GET', url: '/api/work-orders/abc', headers: OP });
    expect(badId.statusCode).toBe(400);
    expect((badId.json() as { error: { message: string } }).error.message).toMatch(/^id:/);
    expect((await app.inject({ method: 'GET', url: '/api/work-orders/999', headers: OP })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/contractor/work-orders/999/acknowledge', headers: asAcme, payload: {} })).statusCode).toBe(404);
    const close = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/close`, headers: OP, payload: {} });
    expect(close.statusCode).toBe(409);
    expect((close.json() as { error: { message: string } }).error.message).toMatch(/cannot close work order \d+: it is (open|dispatched)/);
    const reassign = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/reassign`, headers: OP, payload: { contractor: 'ghost' } });
    expect(reassign.statusCode).toBe(400);
    expect((reassign.json() as { error: { details: { field: string } } }).error.details.field).toBe('contractor');
  });

  it('operators list with filters, reassign, close, reopen, see dead letters and KPIs', async () => {
    service.onAlarm(pumpTrip());
    const trip = pumpTrip({ device: 'pump-b2-1', location: { site: 'demo', building: 'b2', floor: 'B1' }, priority: 1 });
    service.onAlarm(trip);
    await service.idle();
    const p1 = await app.inject({ method: 'GET', url: '/api/work-orders?priority=1', headers: OP });
    const orders = (p1.json() as { workOrders: Array<{ id: number; device: string }> }).workOrders;
    expect(orders.map((o) => o.device)).toEqual(['pump-b2-1']);
    const b1 = await app.inject({ method: 'GET', url: '/api/work-orders?building=b1&status=dispatched', headers: OP });
    expect((b1.json() as { workOrders: Array<{ device: string }> }).workOrders.map((o) => o.device)).toEqual(['pump-b1-1']);
    const id = orders[0]!.id;
    const re = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/reassign`, headers: OP, payload: { contractor: 'liftco', note: 'ACME busy' } });
    expect(re.json()).toMatchObject({ contractor: 'liftco', status: 'open' });
    await service.idle();
    await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${id}/start`, headers: asLiftco, payload: {} });
    await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${id}/resolve`, headers: asLiftco, payload: { note: 'done' } });
    service.onAlarm({ ...trip, type: 'cleared' }); // the fault is gone: now it may be verified and closed
    const closed = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/close`, headers: OP, payload: { note: 'verified' } });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    const reopened = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/reopen`, headers: OP, payload: { reason: 'tripped again' } });
    expect(reopened.json()).toMatchObject({ status: 'open', resolvedAt: null, closedAt: null });
    const detail = await app.inject({ method: 'GET', url: `/api/work-orders/${id}`, headers: OP });
    expect((detail.json() as { journal: Array<{ actor: string; action: string }> }).journal.filter((j) => j.actor === 'operator:alice').map((j) => j.action)).toEqual(['reassign', 'close', 'reopen']);
    const dead = await app.inject({ method: 'GET', url: '/api/work-orders/dead-letters', headers: OP });
    expect(dead.json()).toEqual({ deadLetters: [] });
    const kpis = await app.inject({ method: 'GET', url: '/api/work-orders/kpis?groupBy=trade&from=2026-01-01T00:00:00Z', headers: OP });
    expect(kpis.statusCode).toBe(200);
    expect((kpis.json() as { rows: Array<{ key: string; created: number }> }).rows).toEqual([expect.objectContaining({ key: 'pumps', created: 2 })]);
  });
});
