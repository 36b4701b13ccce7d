/** Behaviour of each device model on its own, stepped like a transport or the runner would. */
import { describe, expect, it } from 'vitest';
import { liftStops } from '../../simulators/device-fleet.ts';
import { AccessDoorModel } from '../../simulators/models/access-door-model.ts';
import type { DeviceModel, SimValue } from '../../simulators/models/device-model.ts';
import { ElevatorModel } from '../../simulators/models/elevator-model.ts';
import { ELEVATOR_FAULT_CODES } from '../../simulators/models/elevator-fault-codes.ts';
import { FirePanelModel } from '../../simulators/models/fire-panel-model.ts';
import { PumpModel } from '../../simulators/models/pump-model.ts';
import { SmokeDetectorModel } from '../../simulators/models/smoke-detector-model.ts';
import { SeededRandom } from '../../simulators/seeded-random.ts';

const T0 = Date.UTC(2026, 2, 2, 0, 0); // 08:00 in UTC+8, the morning peak
const H = 3_600_000;

/** Step `model` every `stepMs` for `ms` from `from`, returning each report. */
function trace(model: DeviceModel, from: number, ms: number, stepMs: number): Array<Record<string, SimValue>> {
  const out = [];
  for (let t = from; t <= from + ms; t += stepMs) {
    model.step(t);
    out.push(model.report());
  }
  return out;
}

describe('ElevatorModel', () => {
  it('moves floor by floor, never with its doors open, and cycles its doors at each stop', () => {
    const lift = new ElevatorModel('e', new SeededRandom(1));
    const reports = trace(lift, T0, H, 500);
    let stops = 0;
    for (let i = 1; i < reports.length; i++) {
      const [a, b] = [reports[i - 1], reports[i]] as [Record<string, SimValue>, Record<string, SimValue>];
      const jump = Math.abs((b.floor as number) - (a.floor as number));
      expect(jump === 0 || jump === 1 || (jump === 2 && [a.floor, b.floor].includes(-1))).toBe(true); // -1 → 1: no floor 0
      expect(b.moving && b.door_open).toBe(false);
      if (!a.door_open && b.door_open) stops++;
    }
    const trips = (reports.at(-1)?.trip_count as number) - (reports[0]?.trip_count as number);
    expect(trips).toBeGreaterThan(30);
    expect(stops).toBeGreaterThanOrEqual(trips);
    expect(reports.at(-1)?.run_hours as number).toBeGreaterThan(reports[0]?.run_hours as number);
    expect(new Set(reports.map((r) => r.direction))).toEqual(new Set(['idle', 'up', 'down']));
  });

  it('send_home: a car away from the main floor drops its calls and travels there; refused while out of service', () => {
    const lift = new ElevatorModel('e', new SeededRandom(1));
    // the morning peak until the car is away from floor 1 and idle or moving
    let t = T0;
    lift.step(t);
    while (lift.report().floor === 1 || lift.report().door_open === true) {
      t += 500;
      lift.step(t);
      expect(t - T0).toBeLessThan(H);
    }
    const from = lift.report().floor as number;
    expect(lift.command('send_home')).toBe(true);
    expect(lift.command('no_such_command')).toBe(false);
    // floor by floor, at most 7 stops away (3 s a floor, a door cycle at the next landing when moving)
    const path: number[] = [];
    for (let i = 0; i < 60 && !(lift.report().floor === 1 && lift.report().door_open === true); i++) {
      t += 1_000;
      lift.step(t);
      path.push(lift.report().floor as number);
    }
    expect(lift.report()).toMatchObject({ floor: 1, door_open: true, in_service: true });
    expect(path.length, `from floor ${from}: ${path.join(' ')}`).toBeLessThan(60);

    lift.injectFault('door_lock_fault');
    expect(lift.command('send_home')).toBe(false);
  });

  it('gives the same trip count whether stepped every second or once an hour', () => {
    const fine = new ElevatorModel('e', new SeededRandom(4));
    const coarse = new ElevatorModel('e', new SeededRandom(4));
    trace(fine, T0, 6 * H, 1_000);
    coarse.step(T0);
    coarse.step(T0 + 6 * H);
    expect(coarse.report().trip_count).toBe(fine.report().trip_count);
    expect(coarse.report().run_hours).toBe(fine.report().run_hours);
  });

  it('door lock fault and overspeed take the car out of service with their codes, and it recovers', () => {
    for (const fault of ['door_lock_fault', 'overspeed', 'leveling_error'] as const) {
      const lift = new ElevatorModel('e', new SeededRandom(2));
      trace(lift, T0, 60_000, 1_000);
      lift.injectFault(fault);
      const during = trace(lift, T0 + 61_000, 10 * 60_000, 1_000);
      expect(during.every((r) => r.fault_code === ELEVATOR_FAULT_CODES[fault] && r.in_service === false && r.moving === false)).toBe(true);
      expect(new Set(during.map((r) => r.trip_count)).size).toBe(1);
      expect(during.every((r) => r.alarm_button === false)).toBe(true);
      lift.clearFault(fault);
      const after = trace(lift, T0 + 11 * 60_000 + 1_000, 10 * 60_000, 1_000);
      expect(after.every((r) => r.fault_code === 0 && r.in_service === true)).toBe(true);
      expect((after.at(-1)?.trip_count as number) > (during[0]?.trip_count as number)).toBe(true);
    }
  });
});

describe('PumpModel', () => {
  it('current and vibration rise with flow; a trip stops it and sets the trip bit', () => {
    const pump = new PumpModel('p', new SeededRandom(3));
    const day = trace(pump, T0, 24 * H, 10 * 60_000).filter((r) => r.running === true);
    const byFlow = [...day].sort((a, b) => (a.flow_m3h as number) - (b.flow_m3h as number));
    const low = byFlow.slice(0, 10);
    const high = byFlow.slice(-10);
    const mean = (rs: typeof day, k: string) => rs.reduce((s, r) => s + (r[k] as number), 0) / rs.length;
    expect(mean(high, 'motor_current_a')).toBeGreaterThan(mean(low, 'motor_current_a') + 5);
    expect(mean(high, 'discharge_bar')).toBeLessThan(mean(low, 'discharge_bar'));
    pump.injectFault('trip');
    pump.step(T0 + 24 * H + 1_000);
    expect(pump.report()).toMatchObject({ running: false, tripped: true, flow_m3h: 0, motor_current_a: 0 });
  });

  it('dry run: suction near zero, almost no flow, low current, bearing heating', () => {
    const pump = new PumpModel('p', new SeededRandom(3));
    trace(pump, T0, H, 60_000);
    pump.injectFault('dry_run');
    const r = trace(pump, T0 + H, 2 * H, 60_000).at(-1) as Record<string, SimValue>;
    expect(r.suction_bar as number).toBeLessThan(0.2);
    expect(r.flow_m3h as number).toBeLessThan(1);
    expect(r.motor_current_a as number).toBeLessThan(7);
    expect(r.bearing_temp_c as number).toBeGreaterThan(70);
  });
});

describe('FirePanelModel', () => {
  it('on mains loss the battery discharges and the panel shows a fault; it recharges when mains returns', () => {
    const panel = new FirePanelModel('f', new SeededRandom(1), 4);
    panel.step(T0);
    expect(panel.report()).toMatchObject({ ac_power_ok: true, panel_fault: false, zone_1_state: 'normal' });
    panel.injectFault('ac_power_loss');
    panel.step(T0 + 10 * H);
    const onBattery = panel.report();
    expect(onBattery).toMatchObject({ ac_power_ok: false, panel_fault: true });
    expect(onBattery.battery_v as number).toBeLessThan(26.2);
    panel.clearFault('ac_power_loss');
    panel.step(T0 + 30 * H);
    expect(panel.report().battery_v as number).toBeGreaterThan(27);
    panel.injectFault('zone_disabled:2');
    panel.injectFault('supervisory');
    expect(panel.report()).toMatchObject({ zone_2_state: 'disabled', supervisory: true });
  });
});

describe('AccessDoorModel', () => {
  it('grants and denies badges, relocks after opening; forced, held open and reader offline show', () => {
    const door = new AccessDoorModel('d', new SeededRandom(5));
    const reports = trace(door, T0, 2 * H, 1_000);
    const events = door.takeEvents();
    expect(events.some((e) => e.event === 'granted')).toBe(true);
    expect(events.some((e) => e.event === 'denied')).toBe(true);
    expect(reports.some((r) => r.door_open === true)).toBe(true);
    expect(reports.at(-1)).toMatchObject({ forced_open: false, held_open: false, reader_online: true });
    door.injectFault('forced_open');
    door.step(T0 + 2 * H + 1_000);
    expect(door.report()).toMatchObject({ door_open: true, locked: true, forced_open: true, last_event: 'forced_open' });
    door.clearFault('forced_open');
    door.injectFault('held_open');
    door.step(T0 + 2 * H + 2_000);
    expect(door.report()).toMatchObject({ door_open: true, held_open: true, last_event: 'held_open' });
    expect(door.takeEvents().map((e) => e.event)).toEqual(['forced_open', 'held_open']);
    door.clearFault('held_open');
    door.injectFault('reader_offline');
    const offline = trace(door, T0 + 3 * H, H, 1_000);
    expect(offline.every((r) => r.reader_online === false && r.door_open === false)).toBe(true);
  });
});

describe('SmokeDetectorModel', () => {
  it('dirty chamber drifts toward the alarm level; low battery, tamper and silence show', () => {
    const det = new SmokeDetectorModel('s', new SeededRandom(6));
    det.step(T0);
    const clean = det.report().obscuration_pct_m as number;
    det.injectFault('dirty_chamber');
    det.step(T0 + 5 * 24 * H);
    expect(det.report().obscuration_pct_m as number).toBeGreaterThan(clean + 2);
    det.injectFault('low_battery');
    det.injectFault('tamper');
    expect(det.report()).toMatchObject({ tamper: true });
    expect(det.report().battery_pct as number).toBeLessThanOrEqual(8);
    expect(det.silent).toBe(false);
    det.injectFault('silence');
    expect(det.silent).toBe(true);
  });
});

describe('lift stops from the building floors', () => {
  it('B-floors are negative, F-floors positive, no floor 0; other ids are numbered upward', () => {
    expect(liftStops(['B2', 'B1', 'F1', 'F2', 'F3'])).toEqual([-2, -1, 1, 2, 3]);
    expect(liftStops(['G', 'M', 'R'])).toEqual([1, 2, 3]);
    expect(liftStops(['F1'])).toBeUndefined();
    const lift = new ElevatorModel('e', new SeededRandom(1), { stops: [-2, -1, 1, 2, 3] });
    const floors = new Set(trace(lift, T0, 2 * H, 1_000).map((r) => r.floor));
    expect([...floors].sort((a, b) => (a as number) - (b as number))).toEqual([-2, -1, 1, 2, 3]);
  });
});
