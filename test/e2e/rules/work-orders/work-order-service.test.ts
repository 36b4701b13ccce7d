import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../../gateway/model/clock.ts';
import { TroubleBoard } from '../../../../gateway/trouble/trouble-board.ts';
import { verifyWebhook } from '../../../../rules/dispatch/signature.ts';
import { WorkOrderService } from '../../../../rules/work-orders/work-order-service.ts';
import type { WorkOrderConfig } from '../../../../rules/work-orders/work-order-schema.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { DEVICES, pumpTrip, SECRET, startReceiver, woConfig } from '../../../rules/work-orders/work-order-fixtures.ts';

async function waitUntil(cond: () => boolean): Promise<void> {
  await waitFor(cond, 15_000, 'the condition');
}

const OPERATOR = { type: 'operator', id: 'alice' } as const;
const ACME = { type: 'contractor', id: 'acme-pumps' } as const;

describe('WorkOrderService', () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let clock: VirtualClock;
  let trouble: TroubleBoard;
  const services: WorkOrderService[] = [];

  const open = (config: WorkOrderConfig = woConfig(receiver.url)): WorkOrderService => {
    const s = new WorkOrderService({
      config,
      file: join(dir.path, 'gateway.db'),
      clock,
      log: silentLogger(),
      site: { id: 'demo', timezone: 'Asia/Shanghai' },
      devices: () => DEVICES,
      random: () => 1, // the jitter draws nothing off: each backoff is its full step
      trouble,
    });
    services.push(s);
    s.start();
    return s;
  };

  beforeEach(async () => {
    dir = tempDir('wo-');
    receiver = await startReceiver();
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    trouble = new TroubleBoard(clock);
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop().catch(() => undefined);
    await receiver.close();
    dir.cleanup();
  });

  it('an alarm creates one order, routes it and delivers one signed webhook; it becomes dispatched', async () => {
    const wo = open();
    const outcome = wo.onAlarm(pumpTrip());
    expect(outcome.action).toBe('created');
    await wo.idle();
    const acme = receiver.requests.filter((r) => r.path === '/acme');
    expect(acme).toHaveLength(1);
    const req = acme[0]!;
    expect(verifyWebhook(SECRET, String(req.headers['x-timestamp']), req.body, String(req.headers['x-signature']))).toBe(true);
    const body = JSON.parse(req.body) as { id: string; event: string; workOrder: { id: number; device: string; priority: number; respondBy: number; location: { building: string } } };
    expect(req.headers['x-idempotency-key']).toBe(body.id);
    expect(body.event).toBe('work_order.dispatch');
    expect(body.workOrder).toMatchObject({ device: 'pump-b1-1', priority: 2, respondBy: clock.now() + 30 * 60_000, location: { building: 'b1' } });
    const order = wo.get((outcome as { orderId: number }).orderId);
    expect(order.status).toBe('dispatched');
    expect(order.contractor).toBe('acme-pumps');
    expect(order.journal.map((j) => j.action)).toEqual(['created', 'queued', 'dispatch']);
  });

  it('de-duplicates: one open order per (device, fault); recurrences are appended and counted; redelivery is ignored', async () => {
    const wo = open();
    const first = pumpTrip();
    const a = wo.onAlarm(first);
    const b = wo.onAlarm(pumpTrip());
    const c = wo.onAlarm(pumpTrip());
    const again = wo.onAlarm(first); // the alarm engine re-delivering the same event
    const other = wo.onAlarm(pumpTrip({ device: 'pump-b2-1', location: { site: 'demo', building: 'b2', floor: 'B1' } }));
    expect([a.action, b.action, c.action, again.action, other.action]).toEqual(['created', 'appended', 'appended', 'duplicate', 'created']);
    await wo.idle();
    const orders = wo.list({ device: 'pump-b1-1' });
    expect(orders).toHaveLength(1);
    expect(orders[0]!.occurrences).toBe(3);
    expect(wo.stats().counters.recurrences).toBe(2);
    // the contractor got the fault once, not once per recurrence
    expect(receiver.requests.filter((r) => r.path === '/acme' && (JSON.parse(r.body) as { workOrder: { device: string } }).workOrder.device === 'pump-b1-1')).toHaveLength(1);
  });

  it('a cleared alarm is recorded and the order stays open until resolved; closed orders let a new one open', async () => {
    const wo = open();
    const raise = pumpTrip();
    const { orderId } = wo.onAlarm(raise) as { orderId: number };
    expect(wo.onAlarm({ ...raise, type: 'cleared', at: clock.now() + 1000 }).action).toBe('cleared');
    let order = wo.get(orderId);
    expect(order.alarmActive).toBe(false);
    expect(order.status).not.toBe('resolved');
    expect(order.journal.some((j) => j.action === 'alarm_cleared')).toBe(true);
    await wo.idle();
    wo.acknowledge(orderId, ACME, 'on my way');
    wo.startWork(orderId, ACME);
    wo.resolve(orderId, ACME, 'replaced the motor protection relay');
    expect(wo.close(orderId, OPERATOR, 'verified running').status).toBe('closed');
    expect(wo.get(orderId).journal.filter((j) => j.to !== j.from && j.to !== null).map((j) => `${j.from}>${j.to}`)).toEqual([
      'null>open',
      'open>dispatched',
      'dispatched>acknowledged',
      'acknowledged>in_progress',
      'in_progress>resolved',
      'resolved>closed',
    ]);
    // the alarm engine re-delivering the old raise after a restart does not open a new order
    expect(wo.onAlarm(raise).action).toBe('duplicate');
    expect(wo.onAlarm(pumpTrip()).action).toBe('created');
  });

  it('an order no contractor covers is journaled as unrouted and escalated to contacts of its priority', async () => {
    const config = woConfig(receiver.url, {
      contractors: [],
      escalation: {
        contacts: [
          { id: 'duty', name: 'Duty', priorities: [1], channels: { webhook: { url: `${receiver.url}/duty`, secret: SECRET } } },
          { id: 'all', name: 'All', channels: { webhook: { url: `${receiver.url}/all`, secret: SECRET } } },
        ],
      },
    });
    const wo = open(config);
    const p2 = (wo.onAlarm(pumpTrip({ priority: 2 })) as { orderId: number }).orderId;
    const p1 = (wo.onAlarm(pumpTrip({ priority: 1, ruleId: 'pump-low-pressure' })) as { orderId: number }).orderId;
    await wo.idle();
    expect(wo.get(p2)).toMatchObject({ contractor: null, status: 'open' });
    expect(wo.get(p2).journal.map((j) => j.action)).toEqual(['created', 'unrouted', 'escalated']);
    const sent = receiver.requests.map((r) => `${r.path} ${(JSON.parse(r.body) as { event: string; workOrder: { id: number } }).workOrder.id}`);
    expect(sent.sort()).toEqual([`/all ${p1}`, `/all ${p2}`, `/duty ${p1}`].sort());
  });

  it('a malformed signal is refused with the field named, and nothing is written', () => {
    const wo = open();
    const bad = { ...pumpTrip(), priority: 9, location: { site: 'demo' } } as unknown as Parameters<WorkOrderService['onAlarm']>[0];
    const outcome = wo.onAlarm(bad);
    expect(outcome.action).toBe('failed');
    expect((outcome as { reason: string }).reason).toMatch(/location\.building: .*priority: /s);
    expect(wo.list({})).toHaveLength(0);
  });

  it('refuses transitions that are not allowed, and other contractors', () => {
    const wo = open();
    const { orderId } = wo.onAlarm(pumpTrip()) as { orderId: number };
    expect(() => wo.resolve(orderId, ACME)).toThrow(/cannot resolve work order \d+: it is open/);
    expect(() => wo.acknowledge(orderId, { type: 'contractor', id: 'liftco' })).toThrow(/not assigned to liftco/);
    expect(() => wo.close(orderId, ACME)).toThrow(/only a operator may close/);
    expect(() => wo.get(9999)).toThrow(/no work order 9999/);
  });

  it('SLA in virtual time: an unacknowledged priority-1 order escalates at 15 min exactly', async () => {
    const wo = open();
    const created = clock.now();
    const { orderId } = wo.onAlarm(pumpTrip({ priority: 1 })) as { orderId: number };
    await wo.idle();
    clock.advance(15 * 60_000 - 1);
    expect(wo.get(orderId).respondBreachedAt).toBeNull();
    expect(receiver.requests.filter((r) => r.path === '/escalation')).toHaveLength(0);
    clock.advance(1);
    const order = wo.get(orderId);
    expect(order.respondBreachedAt).toBe(created + 15 * 60_000);
    expect(order.journal.find((j) => j.action === 'sla_respond_breached')?.at).toBe(created + 15 * 60_000);
    expect(wo.stats().counters.sla_respond_breaches).toBe(1);
    await wo.idle();
    const esc = receiver.requests.filter((r) => r.path === '/escalation');
    expect(esc).toHaveLength(1);
    expect(JSON.parse(esc[0]!.body)).toMatchObject({ event: 'work_order.sla_breached', breach: 'respond', workOrder: { id: orderId, priority: 1 } });
    // the fix deadline (4 h) is judged separately
    clock.advance(4 * 3_600_000 - 15 * 60_000);
    expect(wo.get(orderId).fixBreachedAt).toBe(created + 4 * 3_600_000);
    expect(wo.stats().counters.sla_fix_breaches).toBe(1);
  });

  it('an acknowledged order does not breach its respond deadline', async () => {
    const wo = open();
    const { orderId } = wo.onAlarm(pumpTrip({ priority: 1 })) as { orderId: number };
    await wo.idle();
    clock.advance(10 * 60_000);
    wo.acknowledge(orderId, ACME);
    clock.advance(60 * 60_000);
    expect(wo.get(orderId).respondBreachedAt).toBeNull();
    expect(wo.stats().counters.sla_respond_breaches).toBeUndefined();
  });

  it('deadlines survive a restart: the timer is re-armed from the database', async () => {
    const first = open();
    const { orderId } = first.onAlarm(pumpTrip({ priority: 1 })) as { orderId: number };
    await first.idle();
    await first.stop();
    services.splice(0);
    clock.advance(5 * 60_000);
    const second = open();
    clock.advance(10 * 60_000 - 1);
    expect(second.get(orderId).respondBreachedAt).toBeNull();
    clock.advance(1);
    expect(second.get(orderId).respondBreachedAt).toBe(Date.UTC(2026, 0, 1) + 15 * 60_000);
  });

  it('failed deliveries are retried with backoff on the clock, then dead-lettered and escalated', async () => {
    await receiver.close();
    receiver = await startReceiver((path) => (path === '/acme' ? 503 : 200));
    const wo = open();
    const { orderId } = wo.onAlarm(pumpTrip()) as { orderId: number };
    await wo.idle();
    expect(receiver.requests.filter((r) => r.path === '/acme')).toHaveLength(1);
    // backoff 1 s, 2 s, 4 s (random() = 1: the full step)
    for (const wait of [1_000, 2_000, 4_000]) {
      clock.advance(wait - 1);
      await wo.idle();
      const before = receiver.requests.length;
      clock.advance(1);
      await wo.idle();
      expect(receiver.requests.length).toBeGreaterThan(before);
    }
    const acme = receiver.requests.filter((r) => r.path === '/acme');
    expect(acme).toHaveLength(4);
    expect(new Set(acme.map((r) => r.headers['x-idempotency-key'])).size).toBe(1);
    const dead = wo.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toMatch(/HTTP 503.*after 4 attempts/);
    expect(receiver.requests.filter((r) => r.path === '/escalation').map((r) => (JSON.parse(r.body) as { event: string }).event)).toEqual(['dispatch.dead_letter']);
    expect(wo.get(orderId).status).toBe('open');
    expect(wo.deliveryAttempts(dead[0]!.id).map((a) => a.statusCode)).toEqual([503, 503, 503, 503]);
    expect(trouble.list().map((t) => t.key)).toEqual(['work-orders.dead-letters']);
    wo.retryDeadLetter(dead[0]!.id, OPERATOR);
    expect(trouble.list()).toEqual([]);
    expect(wo.deadLetters()).toHaveLength(0);
  });

  it('an attempt that gets no answer is aborted by the timeout on the clock and retried', async () => {
    await receiver.close();
    receiver = await startReceiver((path, n) => (path === '/acme' && n === 0 ? 0 : 200));
    const wo = open();
    const { orderId } = wo.onAlarm(pumpTrip()) as { orderId: number };
    await waitUntil(() => receiver.requests.length === 1);
    expect(wo.get(orderId).status).toBe('open');
    clock.advance(5_000); // dispatch.timeout
    await wo.idle();
    expect(wo.deliveryAttempts(wo.get(orderId).deliveries[0]!.id)).toEqual([expect.objectContaining({ ok: false, error: expect.stringMatching(/\/acme: no answer within 5000 ms$/) })]);
    clock.advance(1_000); // first backoff
    await wo.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(wo.get(orderId).status).toBe('dispatched');
  });

  it('reassign withdraws the order from the old contractor and dispatches it to the new one; reopen re-dispatches', async () => {
    const wo = open();
    const { orderId } = wo.onAlarm(pumpTrip()) as { orderId: number };
    await wo.idle();
    wo.reassign(orderId, 'liftco', OPERATOR, 'ACME on strike');
    await wo.idle();
    expect(receiver.requests.map((r) => `${r.path} ${(JSON.parse(r.body) as { event: string }).event}`)).toEqual([
      '/acme work_order.dispatch',
      '/acme work_order.withdrawn',
      '/liftco work_order.dispatch',
    ]);
    expect(wo.get(orderId)).toMatchObject({ contractor: 'liftco', status: 'dispatched' });
    expect(() => wo.acknowledge(orderId, ACME)).toThrow(/not assigned/);
    wo.cancel(orderId, OPERATOR, 'duplicate of a phone call');
    expect(wo.get(orderId).status).toBe('cancelled');
    wo.reopen(orderId, OPERATOR, 'not a duplicate after all');
    await wo.idle();
    expect(wo.get(orderId).status).toBe('dispatched');
  });

  it('runs preventive maintenance from cron on the virtual clock and appends when the last is still open', async () => {
    clock = new VirtualClock(Date.UTC(2025, 11, 31, 23, 0)); // 07:00 on 1 Jan in Shanghai
    const wo = open(woConfig(receiver.url, { maintenance: [{ id: 'pump-service', cron: '0 9 1 1,4,7,10 *', kind: 'pump', trade: 'pumps', title: 'Pump quarterly maintenance' }] }));
    clock.advance(2 * 3_600_000 - 1);
    expect(wo.list({ source: 'maintenance' })).toHaveLength(0);
    clock.advance(1);
    const orders = wo.list({ source: 'maintenance' });
    expect(orders.map((o) => o.device).sort()).toEqual(['pump-b1-1', 'pump-b2-1']);
    expect(orders[0]!.fault).toBe('pm:pump-service');
    expect(orders[0]!.respondBy - orders[0]!.createdAt).toBe(24 * 3_600_000); // planned work: maintenance SLA, not priority 3's 30 min
    await wo.idle();
    clock.advance(91 * 86_400_000); // past 1 April 09:00
    expect(wo.list({ source: 'maintenance' })).toHaveLength(2);
    expect(wo.list({ source: 'maintenance' }).every((o) => o.occurrences === 2)).toBe(true);
  });

  it('KPIs: response time, time to fix, compliance and backlog per contractor', async () => {
    const wo = open();
    const a = (wo.onAlarm(pumpTrip()) as { orderId: number }).orderId;
    const b = (wo.onAlarm(pumpTrip({ device: 'pump-b2-1', location: { site: 'demo', building: 'b2', floor: 'B1' } })) as { orderId: number }).orderId;
    await wo.idle();
    clock.advance(10 * 60_000);
    wo.acknowledge(a, ACME);
    clock.advance(50 * 60_000);
    wo.resolve(a, ACME);
    clock.advance(24 * 3_600_000); // b breaches both deadlines
    const [row] = wo.kpis({ from: Date.UTC(2026, 0, 1), to: clock.now(), groupBy: 'contractor' });
    expect(row).toMatchObject({ key: 'acme-pumps', created: 2, judged: 2, compliant: 1, slaCompliancePct: 50, openBacklog: 1, respondBreaches: 1, fixBreaches: 1 });
    expect(row!.responseTime).toMatchObject({ count: 1, meanMs: 10 * 60_000 });
    expect(row!.timeToFix).toMatchObject({ count: 1, meanMs: 60 * 60_000 });
    expect(b).toBeGreaterThan(a);
  });
});
