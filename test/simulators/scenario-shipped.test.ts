import { describe, expect, it } from 'vitest';
import { runScenario } from '../../simulators/scenario/scenario-runner.ts';
import { CollectingSink, demoSite, shippedScenario } from './sim-test-helpers.ts';

const MIN = 60_000;
const H = 3_600_000;

function runShipped(name: string) {
  const sink = new CollectingSink();
  const { run, summary } = runScenario({ site: demoSite(), scenario: shippedScenario(name), sink });
  return { sink, run, summary, t0: summary.startEpochMs };
}

describe('shipped scenario normal-day', () => {
  const { sink, run, t0 } = runShipped('normal-day');

  it('applies no fault and every device reports every 30 s for 24 h', () => {
    expect(run.timeline).toEqual([]);
    const reports = sink.of('smoke-b2-f6', 'heartbeat');
    expect(reports.length).toBe(24 * 120 + 1);
    expect(reports.at(-1)?.ts).toBe(t0 + 24 * H);
  });

  it('lifts answer calls all day, more at the morning peak than at night', () => {
    const trips = sink.of('elev-b1-1', 'trip_count').map((s) => s.value as number);
    const first = trips[0] as number;
    const at = (h: number) => (sink.at('elev-b1-1', 'trip_count', t0 + h * H) as number) - first;
    expect(at(24)).toBeGreaterThan(300);
    expect(at(9) - at(7)).toBeGreaterThan(at(4) - at(2)); // 07-09 busier than 02-04
    expect(sink.of('elev-b1-1', 'fault_code').every((s) => s.value === 0)).toBe(true);
    const floors = new Set(sink.of('elev-b1-1', 'floor').map((s) => s.value));
    expect(floors.size).toBeGreaterThanOrEqual(6);
  });

  it('pump pressure follows demand: lower discharge at the evening peak than mid-afternoon, stopped at night', () => {
    const discharge = (h: number) => sink.at('pump-b1-1', 'discharge_bar', t0 + h * H) as number;
    const flow = (h: number) => sink.at('pump-b1-1', 'flow_m3h', t0 + h * H) as number;
    expect(flow(19.5)).toBeGreaterThan(flow(15));
    expect(discharge(19.5)).toBeLessThan(discharge(15));
    expect(sink.at('pump-b1-1', 'running', t0 + 3 * H)).toBe(false);
    expect(sink.at('pump-b1-1', 'running', t0 + 8 * H)).toBe(true);
    for (const s of sink.of('pump-b1-1', 'discharge_bar')) expect(s.value).toBeGreaterThan(1);
  });

  it('all fire zones stay normal and mains stays on', () => {
    expect(sink.samples.filter((s) => s.point.endsWith('_state')).every((s) => s.value === 'normal')).toBe(true);
    expect(sink.of('fire-panel-1', 'ac_power_ok').every((s) => s.value === true)).toBe(true);
  });
});

describe('shipped scenario fire-drill', () => {
  const { sink, t0 } = runShipped('fire-drill');

  it('zone 3 goes into fire at 5 m exactly and back to normal at 15 m; other zones stay normal', () => {
    const zone3 = sink.of('fire-panel-1', 'zone_3_state');
    const firstFire = zone3.find((s) => s.value === 'fire');
    expect(firstFire?.ts).toBe(t0 + 5 * MIN);
    expect(sink.at('fire-panel-1', 'zone_3_state', t0 + 5 * MIN - 5_000)).toBe('normal');
    expect(sink.at('fire-panel-1', 'zone_3_state', t0 + 15 * MIN - 5_000)).toBe('fire');
    expect(sink.at('fire-panel-1', 'zone_3_state', t0 + 15 * MIN)).toBe('normal');
    expect(sink.of('fire-panel-1', 'zone_4_state').every((s) => s.value === 'normal')).toBe(true);
  });

  it('the third-floor detector of building 1 alarms with the zone, and only it', () => {
    expect(sink.at('smoke-b1-f3', 'alarm', t0 + 5 * MIN)).toBe(true);
    expect(sink.at('smoke-b1-f3', 'obscuration_pct_m', t0 + 6 * MIN)).toBeGreaterThan(4);
    expect(sink.at('smoke-b1-f3', 'alarm', t0 + 16 * MIN)).toBe(false);
    expect(sink.samples.filter((s) => s.point === 'alarm' && s.value === true && s.device !== 'smoke-b1-f3')).toEqual([]);
  });
});

describe('shipped scenario elevator-entrapment', () => {
  const { sink, t0 } = runShipped('elevator-entrapment');
  const at = (point: string, offset: number) => sink.at('elev-b1-1', point, t0 + offset);

  it('the car stops between floors out of service with code 41, doors shut, a passenger inside', () => {
    const t = 10 * MIN;
    expect(at('moving', t)).toBe(false);
    expect(at('in_service', t)).toBe(false);
    expect(at('fault_code', t)).toBe(41);
    expect(at('door_open', t)).toBe(false);
    expect(at('load_pct', t)).toBeGreaterThanOrEqual(7.5);
    expect(Number.isInteger(at('floor', t))).toBe(true);
    expect(at('fault_code', t - 5_000)).toBe(0);
  });

  it('the passenger presses the alarm button within 15 s and it stays pressed until the rescue', () => {
    expect(at('alarm_button', 10 * MIN)).toBe(false);
    expect(at('alarm_button', 10 * MIN + 15_000)).toBe(true);
    const during = sink.of('elev-b1-1', 'alarm_button').filter((s) => s.ts >= t0 + 10 * MIN + 15_000 && s.ts < t0 + 45 * MIN);
    expect(during.length).toBeGreaterThan(400);
    expect(during.every((s) => s.value === true)).toBe(true);
    const floors = new Set(sink.of('elev-b1-1', 'floor').filter((s) => s.ts >= t0 + 10 * MIN && s.ts < t0 + 45 * MIN).map((s) => s.value));
    expect(floors.size).toBe(1);
  });

  it('after the rescue the car is back in service and answering calls; the other lift never faulted', () => {
    expect(at('fault_code', 45 * MIN)).toBe(0);
    expect(at('in_service', 45 * MIN)).toBe(true);
    expect(at('alarm_button', 45 * MIN)).toBe(false);
    expect((at('trip_count', 60 * MIN) as number) - (at('trip_count', 45 * MIN) as number)).toBeGreaterThan(0);
    expect(sink.of('elev-b2-1', 'fault_code').every((s) => s.value === 0)).toBe(true);
  });
});

describe('shipped scenario pump-failure-cascade', () => {
  const { sink, t0 } = runShipped('pump-failure-cascade');
  const window = (point: string, from: number, to: number) =>
    sink.of('pump-b1-1', point).filter((s) => s.ts >= t0 + from && s.ts < t0 + to).map((s) => s.value as number);
  const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

  it('cavitation makes discharge pressure oscillate and vibration jump', () => {
    const before = window('discharge_bar', 20 * MIN, 30 * MIN);
    const during = window('discharge_bar', 35 * MIN, 45 * MIN);
    expect(spread(during)).toBeGreaterThan(3 * spread(before));
    expect(Math.max(...window('vibration_mm_s', 20 * MIN, 30 * MIN))).toBeLessThan(4);
    expect(Math.min(...window('vibration_mm_s', 35 * MIN, 60 * MIN))).toBeGreaterThan(7);
  });

  it('the bearing heats up before the trip, then the pump stops tripped', () => {
    expect(window('bearing_temp_c', 20 * MIN, 30 * MIN).every((t) => t < 60)).toBe(true);
    expect(Math.max(...window('bearing_temp_c', 2 * H, 2.5 * H))).toBeGreaterThan(80);
    expect(sink.at('pump-b1-1', 'running', t0 + 2.5 * H - 10_000)).toBe(true);
    expect(sink.at('pump-b1-1', 'running', t0 + 2.5 * H)).toBe(false);
    expect(sink.at('pump-b1-1', 'tripped', t0 + 2.5 * H)).toBe(true);
    expect(window('flow_m3h', 2.5 * H, 4.5 * H).every((f) => f === 0)).toBe(true);
    expect(window('motor_current_a', 2.5 * H, 4.5 * H).every((a) => a === 0)).toBe(true);
  });

  it('after the reset it runs again and the other building pump never faulted', () => {
    expect(sink.at('pump-b1-1', 'tripped', t0 + 5 * H)).toBe(false);
    expect(sink.at('pump-b1-1', 'running', t0 + 5 * H)).toBe(true);
    expect(sink.of('pump-b2-1', 'tripped').every((s) => s.value === false)).toBe(true);
    expect(Math.max(...sink.of('pump-b2-1', 'vibration_mm_s').map((s) => s.value as number))).toBeLessThan(4);
  });
});

describe('shipped scenario comms-loss', () => {
  const { sink, t0, run: scenarioRun } = runShipped('comms-loss');
  const reportTimes = (device: string) => sink.of(device, 'heartbeat').concat(sink.of(device, 'trip_count'), sink.of(device, 'battery_v')).map((s) => s.ts - t0);
  const silentBetween = (device: string, from: number, to: number) => reportTimes(device).filter((t) => t >= from && t < to).length === 0;
  const reportsAt = (device: string, t: number) => reportTimes(device).includes(t);

  it('devices off the network report nothing during their outage and resume after', () => {
    expect(silentBetween('elev-b1-1', 20 * MIN, 30 * MIN)).toBe(true);
    expect(reportsAt('elev-b1-1', 20 * MIN - 10_000)).toBe(true);
    expect(reportsAt('elev-b1-1', 30 * MIN)).toBe(true);
    expect(silentBetween('smoke-b2-f3', 40 * MIN, 55 * MIN)).toBe(true);
    expect(silentBetween('elev-b2-1', 40 * MIN, 55 * MIN)).toBe(true);
    expect(reportsAt('smoke-b1-f3', 45 * MIN)).toBe(true); // building 1 unaffected
    expect(silentBetween('fire-panel-1', 60 * MIN, 65 * MIN)).toBe(true);
    expect(reportsAt('fire-panel-1', 65 * MIN)).toBe(true);
  });

  it('a repeated event expands into its occurrences', () => {
    const blips = scenarioRun.timeline.filter((f) => f.device === 'smoke-b1-f6');
    expect(blips.map((f) => [f.start / MIN, f.end / MIN])).toEqual([[80, 82], [90, 92], [100, 102]]);
    for (const f of blips) expect(silentBetween('smoke-b1-f6', f.start, f.end)).toBe(true);
    expect(reportsAt('smoke-b1-f6', 85 * MIN)).toBe(true);
  });
});
