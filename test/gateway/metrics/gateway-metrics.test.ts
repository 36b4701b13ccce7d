/**
 * /metrics of the demo composition in process (fastify inject, VirtualClock, inline storage, no
 * socket: the demo site without its broker and connectors, samples pushed on the bus): alarm, work
 * order, bus, uptime, storage and trouble series move with what happens. The demo with its
 * simulators and connectors: test/e2e/gateway/metrics/demo-metrics.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../../gateway/gateway.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { startDemoGateway } from '../../support/demo-gateway.ts';

function value(page: string, series: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics of the demo composition (in process)', () => {
  const dir = tempDir('metrics-unit-');
  const clock = new VirtualClock(Date.UTC(2026, 10, 29, 8));
  let gw: RunningGateway;

  beforeAll(async () => {
    gw = await startDemoGateway(join(dir.path, 'data'), clock, (config) => {
      config.api.port = 0;
    });
  });
  afterAll(async () => {
    await gw.stop();
  });

  const scrape = async (): Promise<string> => (await gw.app.inject({ method: 'GET', url: '/metrics' })).body;

  it('a pump trip: the alarm series agree with the alarm records, with its work order, and the age grows on the clock', async () => {
    const before = await scrape();
    expect(value(before, 'gateway_alarms_active{priority="2"}')).toBe(0);
    expect(value(before, 'gateway_work_orders_open{status="open"}')).toBe(0);
    const ts = clock.now();
    gw.bus.push([
      { device: 'pump-b1-1', point: 'running', value: false, ts, quality: 'good' },
      { device: 'pump-b1-1', point: 'tripped', value: true, ts, quality: 'good' },
    ]);
    await gw.bus.drain();
    const trip = gw.alarms.active().find((a) => a.device === 'pump-b1-1' && a.conditionActive);
    expect(trip).toBeDefined();
    const p = trip?.priority as number;
    clock.advance(90_000);
    const page = await scrape();
    // the series agree with the alarm records (other demo devices may have alarms of their own by now: never reported)
    const open = gw.alarms.active({ limit: 10_000 });
    const ofP = open.filter((a) => a.priority === p);
    expect(value(page, `gateway_alarms_active{priority="${p}"}`)).toBe(ofP.filter((a) => a.conditionActive).length);
    expect(value(page, `gateway_alarms_unacknowledged{priority="${p}"}`)).toBe(ofP.filter((a) => a.state === 'active-unack' || a.state === 'rtn-unack').length);
    expect(value(page, `gateway_alarms_oldest_unacknowledged_age_seconds{priority="${p}"}`)).toBe(Math.max(...ofP.map((a) => (clock.now() - a.raisedAt) / 1000)));
    expect(value(page, `gateway_alarms_oldest_unacknowledged_age_seconds{priority="${p}"}`)).toBeGreaterThanOrEqual(90);
    expect(value(page, `gateway_alarm_events_total{event="raised",priority="${p}"}`)).toBe(ofP.length);
    const orders = ['open', 'dispatched'].reduce((n, s) => n + (value(page, `gateway_work_orders_open{status="${s}"}`) ?? 0), 0);
    expect(orders).toBe(gw.workOrders?.list({ status: ['open', 'dispatched'] }).length);
    expect(gw.workOrders?.list({ status: ['open', 'dispatched'] }).some((o) => o.device === 'pump-b1-1')).toBe(true);
    expect(value(page, 'gateway_bus_delivered_total{subscriber="storage"}')).toBe(2);
    expect(value(page, 'gateway_telemetry_samples_committed_total')).toBe(2);
    expect(value(page, 'gateway_telemetry_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(page, 'gateway_uptime_target_ratio{device="pump-b1-1",kind="pump",building="b1"}')).toBe(0.98);
    expect(value(page, 'gateway_sqlite_file_bytes{file="gateway.db"}')).toBeGreaterThan(0);
    // acknowledged: one fewer unacknowledged, one acknowledged event
    gw.alarms.acknowledge(trip?.id as string, 'olga');
    const acked = await scrape();
    expect(value(acked, `gateway_alarms_unacknowledged{priority="${p}"}`)).toBe((value(page, `gateway_alarms_unacknowledged{priority="${p}"}`) as number) - 1);
    expect(value(acked, `gateway_alarm_events_total{event="acknowledged",priority="${p}"}`)).toBe(1);
  });
});
