/**
 * Pump trip end to end (issue 7): the Modbus pump simulator (in this process) trips; the gateway,
 * a child process `gateway/cli.ts run --config <site file>`, polls it over Modbus TCP, raises the
 * pump-trip alarm, creates the work order and sends it through its outbox to the pump contractor's
 * webhook, a local HTTP server of this test. The receiver refuses the first three attempts, and the
 * gateway is killed with SIGKILL after the first and after the second attempt and started again.
 * Result: one alarm, one work order, exactly one accepted delivery, every attempt validly signed
 * and carrying the same idempotency key.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../gateway/model/clock.ts';
import type { AlarmRecord } from '../../rules/alarms/alarm-model.ts';
import { verifyWebhook } from '../../rules/dispatch/signature.ts';
import type { WorkOrder } from '../../rules/work-orders/work-order.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startReceiver, type ReceivedRequest } from '../rules/work-orders/work-order-fixtures.ts';
import { waitFor } from '../support/wait-for.ts';
import { getJson } from './e2e-http.ts';
import { writeE2eSite } from './e2e-site.ts';

const SECRET = 'pump-co-webhook-secret-0123456789';
const OPERATOR = { 'x-user': 'e2e-operator' };

interface DeviceView {
  points: Record<string, { value: unknown } | undefined>;
}

describe('pump trip → alarm → work order → webhook, across failures and kill -9', () => {
  const dir = tempDir('e2e-pump-');
  let sims: RunningSimulators | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const gateways: GatewayProcess[] = [];

  afterAll(async () => {
    for (const g of gateways) await g.kill('SIGKILL');
    await sims?.stop();
    await receiver?.close();
    dir.cleanup();
  });

  it('gives one alarm, one order and exactly one accepted, validly signed delivery', async () => {
    receiver = await startReceiver((path, n) => (path === '/pump-co' && n < 3 ? 503 : 200));
    const site = await writeE2eSite(dir.path, {
      devices: ['pump-b1-1', 'pump-b2-1'],
      overrides: {
        workOrders: {
          enabled: true,
          contractors: [
            { id: 'pump-co', name: 'Pump Co', trades: ['plumbing', 'mechanical', 'electrical'], kinds: ['pump'], channels: { webhook: { url: `${receiver.url}/pump-co`, secret: SECRET } } },
          ],
          maintenance: [],
          dispatch: { maxAttempts: 10, initialBackoff: '300ms', maxBackoff: '1s', jitter: 0.2, timeout: '3s', webhooks: { allowHttp: true, allowPrivateTargets: true } },
        },
      },
    });
    sims = await startSimulators(readSiteFile(site.file), { clock: new RealClock(), seed: 41 });
    const start = async (): Promise<string> => {
      const g = await startGatewayProcess(['--config', site.file]);
      gateways.push(g);
      return g.api;
    };
    const kill9 = async (): Promise<void> => gateways.at(-1)?.kill('SIGKILL');
    const attempts = (): ReceivedRequest[] => receiver?.requests.filter((r) => r.path === '/pump-co') ?? [];
    const pollUntil = <T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> => waitFor(check, ms, what, 50);

    let api = await start();
    await pollUntil('the pumps polled over Modbus', async () => {
      const d = await getJson<DeviceView>(`${api}/api/devices/pump-b1-1`);
      return d.points.tripped?.value === false ? true : undefined;
    });
    expect((await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms`)).alarms).toEqual([]);

    sims.begin('pump-b1-1', 'trip');
    const alarm = await pollUntil('the pump-trip alarm', async () => (await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms`)).alarms.find((a) => a.rule === 'pump.trip'));
    expect(alarm).toMatchObject({ device: 'pump-b1-1', priority: 2, state: 'active-unack', workOrder: { trade: 'plumbing', priority: 2 } });

    await waitFor(() => attempts().length >= 1, 10_000, 'the first (refused) attempt');
    await kill9();
    api = await start();
    await waitFor(() => attempts().length >= 2, 10_000, 'the second (refused) attempt, after the first restart');
    await kill9();
    api = await start();
    await waitFor(() => attempts().some((r) => r.status === 200), 15_000, 'an accepted attempt, after the second restart');
    // the order is durably dispatched (the outbox recorded the accepted delivery, so nothing is
    // left to retry); only then are the attempts counted
    await pollUntil('the order to be dispatched', async () => {
      const list = await getJson<Record<string, unknown>>(`${api}/api/work-orders`, OPERATOR);
      const orders = (Object.values(list).find(Array.isArray) ?? []) as WorkOrder[];
      return orders.some((o) => o.status === 'dispatched') ? true : undefined;
    });

    const requests = attempts();
    expect(requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(new Set(requests.map((r) => String(r.headers['x-idempotency-key']))).size).toBe(1);
    for (const r of requests) {
      expect(r.headers['x-event']).toBe('work_order.dispatch');
      expect(verifyWebhook(SECRET, String(r.headers['x-timestamp']), r.body, String(r.headers['x-signature'])), `signature of attempt ${r.headers['x-attempt']}`).toBe(true);
    }
    expect(verifyWebhook('another-secret-0123456789abcdef', String(requests[3]?.headers['x-timestamp']), requests[3]?.body ?? '', String(requests[3]?.headers['x-signature']))).toBe(false);
    const body = JSON.parse(requests[3]?.body ?? '{}') as { id: string; workOrder: Record<string, unknown> };
    expect(body.id).toBe(requests[3]?.headers['x-idempotency-key']);
    expect(body.workOrder).toMatchObject({ device: 'pump-b1-1', priority: 2, trade: 'plumbing', contractor: 'pump-co', source: 'alarm', fault: 'pump.trip', alarm: { id: alarm.id, rule: 'pump.trip' } });

    // the restarted gateway: the same single alarm, the same single order, now dispatched
    const alarms = (await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms`)).alarms;
    expect(alarms.map((a) => `${a.rule}@${a.device}:${a.id}`)).toEqual([`pump.trip@pump-b1-1:${alarm.id}`]);
    expect(alarms[0]?.occurrences).toBe(1);
    const list = await getJson<Record<string, unknown>>(`${api}/api/work-orders`, OPERATOR);
    const orders = (Object.values(list).find(Array.isArray) ?? []) as WorkOrder[];
    expect(orders.map((o) => ({ device: o.device, fault: o.fault, status: o.status, occurrences: o.occurrences }))).toEqual([
      { device: 'pump-b1-1', fault: 'pump.trip', status: 'dispatched', occurrences: 1 },
    ]);
    expect(receiver.requests.filter((r) => r.path !== '/pump-co')).toEqual([]);
  }, 90_000);
});
