/**
 * Work orders close only when the fault is gone: verify-and-close is refused while the source
 * alarm is active (409 ALARM_STILL_ACTIVE, through the alarm engine's view of the alarm or, without
 * it, the order's own alarm state); an admin may override with a reason, which is journaled; an
 * operator may not override (403).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../../gateway/api/build-app.ts';
import { Accounts } from '../../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../../support/test-password.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../../gateway/model/clock.ts';
import { openSqlite } from '../../../../gateway/platform/sqlite-file.ts';
import { workOrdersFacade, WorkOrderError, WorkOrderService } from '../../../../rules/work-orders/index.ts';
import { testApiDeps } from '../../../support/api-deps.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { DEVICES, pumpTrip, startReceiver, woConfig } from '../../../rules/work-orders/work-order-fixtures.ts';

const OPERATOR = { type: 'operator', id: 'alice' } as const;
const ACME = { type: 'contractor', id: 'acme-pumps' } as const;

describe('verify-and-close needs the fault gone', () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let clock: VirtualClock;
  let service: WorkOrderService;
  let app: FastifyInstance;
  /** The alarm engine's view, as the gateway passes it: alarm id → condition active. */
  const active = new Map<string, boolean>();

  beforeEach(async () => {
    dir = tempDir('wo-close-');
    receiver = await startReceiver();
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    active.clear();
    service = new WorkOrderService({
      config: woConfig(receiver.url),
      file: join(dir.path, 'gateway.db'),
      clock,
      log: silentLogger(),
      site: { id: 'demo', timezone: 'UTC' },
      devices: () => DEVICES,
      alarmActive: (id) => active.get(id),
    });
    service.start();
    const passwordHash = await testPasswordHash('s3cret-pw');
    const users = (['operator', 'admin'] as const).map((role) => ({ username: role, role, passwordHash }));
    const accounts = new Accounts(openSqlite(':memory:'), clock, { users, sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: 60_000 });
    app = await buildApp(testApiDeps({ accounts, devices: () => DEVICES, now: () => clock.now(), workOrders: workOrdersFacade(service) }), silentLogger());
  });

  afterEach(async () => {
    await app.close();
    await service.stop();
    await receiver.close();
    dir.cleanup();
  });

  const login = async (username: string): Promise<Record<string, string>> => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 's3cret-pw' } });
    return { fgw_session: res.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
  };

  const resolvedOrder = async (): Promise<{ id: number; alarmId: string }> => {
    const trip = pumpTrip();
    active.set(trip.alarmId, true);
    const { orderId } = service.onAlarm(trip) as { orderId: number };
    await service.idle();
    service.acknowledge(orderId, ACME);
    service.startWork(orderId, ACME);
    service.resolve(orderId, ACME, 'reset the relay');
    return { id: orderId, alarmId: trip.alarmId };
  };

  it('refuses an operator while the alarm is active (409 ALARM_STILL_ACTIVE), closes once it cleared', async () => {
    const { id, alarmId } = await resolvedOrder();
    const op = await login('operator');
    let res = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/close`, cookies: op, payload: { note: 'looks fine' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ALARM_STILL_ACTIVE');
    expect(res.json().error.message).toMatch(new RegExp(`cannot close work order ${id}: its alarm is still active \\(${alarmId}\\)`));
    expect(service.get(id).status).toBe('resolved');
    res = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/close`, cookies: op, payload: { override: { reason: 'I am sure' } } });
    expect(res.statusCode).toBe(403);
    expect(service.get(id).status).toBe('resolved');

    active.set(alarmId, false);
    res = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/close`, cookies: op, payload: { note: 'verified running' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('closed');
  });

  it('lets an admin override with a reason, journaled with the alarms still active', async () => {
    const { id, alarmId } = await resolvedOrder();
    const admin = await login('admin');
    let res = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/close`, cookies: admin, payload: {} });
    expect(res.statusCode).toBe(409);
    res = await app.inject({ method: 'POST', url: `/api/work-orders/${id}/close`, cookies: admin, payload: { override: { reason: 'sensor broken, pump verified by hand' } } });
    expect(res.statusCode).toBe(200);
    const close = service.get(id).journal.find((j) => j.action === 'close');
    expect(close?.note).toBe('closed over active alarm(s): sensor broken, pump verified by hand');
    expect(close?.data).toMatchObject({ override: true, overrideBy: 'admin', overrideReason: 'sensor broken, pump verified by hand', activeAlarms: [alarmId] });
  });

  it('without the alarm engine, the order\'s own alarm state decides (cleared signal)', async () => {
    const bare = new WorkOrderService({ config: woConfig(receiver.url), file: join(dir.path, 'bare.db'), clock, log: silentLogger(), site: { id: 'demo', timezone: 'UTC' }, devices: () => DEVICES });
    bare.start();
    try {
      const trip = pumpTrip();
      const { orderId } = bare.onAlarm(trip) as { orderId: number };
      await bare.idle();
      bare.acknowledge(orderId, ACME);
      bare.resolve(orderId, ACME, 'done');
      expect(() => bare.close(orderId, OPERATOR)).toThrow(WorkOrderError);
      bare.onAlarm({ ...trip, type: 'cleared' });
      expect(bare.close(orderId, OPERATOR).status).toBe('closed');
    } finally {
      await bare.stop();
    }
  });
});
