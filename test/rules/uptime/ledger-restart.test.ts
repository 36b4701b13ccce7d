/**
 * Restarts in the middle of a fault and of a comms-lost interval: the gateway "crashes" (its
 * timers die, the database is closed without a final write, as after kill -9), the clock moves on,
 * and a new service opens the same file. The ledger must stay exact to the millisecond: the open
 * interval closed at the last heartbeat, the gap recorded as unknown/gateway_down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock, type Clock, type Timer } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { startUptime, type UptimeService } from '../../../rules/uptime/uptime-service.ts';
import { uptimeSchema } from '../../../rules/uptime/uptime-schema.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { TimelineReplay, type TimelineEntry } from './timeline-replay.ts';

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const T0 = Date.UTC(2026, 10, 1, 16);

/** A clock view whose timers can all be killed at once, like a process dying. */
class ProcessClock implements Clock {
  private readonly base: Clock;
  private readonly timers = new Set<Timer>();
  constructor(base: Clock) {
    this.base = base;
  }
  now(): number {
    return this.base.now();
  }
  monotonic(): number {
    return this.base.monotonic();
  }
  setTimer(ms: number, fn: () => void): Timer {
    return this.track(this.base.setTimer(ms, fn));
  }
  setInterval(ms: number, fn: () => void): Timer {
    return this.track(this.base.setInterval(ms, fn));
  }
  kill(): void {
    for (const t of this.timers) t.cancel();
  }
  private track(t: Timer): Timer {
    this.timers.add(t);
    return t;
  }
}

const devices: DeviceInfo[] = [
  { id: 'elev-1', name: 'Elevator 1', kind: 'elevator', location: { site: 's', building: 'b1', floor: 'F1' }, connector: 'sim' },
  { id: 'smoke-1', name: 'Smoke 1', kind: 'smoke_detector', location: { site: 's', building: 'b1', floor: 'F1' }, connector: 'sim' },
];
const timeline: TimelineEntry[] = [
  { device: 'elev-1', kind: 'fault', start: T0 + 2 * H, end: T0 + 8 * H },
  { device: 'smoke-1', kind: 'comms', start: T0 + 10 * H, end: T0 + 14 * H },
];
const config = uptimeSchema.parse({ heartbeatEvery: '30s', monthlyReport: { enabled: false } });

describe('uptime ledger across restarts', () => {
  const dir = tempDir('uptime-restart-');
  const services: UptimeService[] = [];
  afterEach(() => {
    for (const s of services) s.ledger.close();
  });

  it('a crash mid-fault and mid-comms-lost leaves an exact ledger', () => {
    const clock = new VirtualClock(T0);
    const bus = new SampleBus({ capacity: 100_000, delivery: 'sync' });
    const replay = new TimelineReplay({ clock, bus, devices, timeline, from: T0, to: T0 + 24 * H, samplePeriod: MIN });
    let proc: ProcessClock | undefined;
    let service: UptimeService | undefined;
    let sub: { unsubscribe(): void } | undefined;
    const boot = (): void => {
      proc = new ProcessClock(clock);
      service = startUptime({
        config,
        site: { id: 's', name: 'S', timezone: 'Asia/Shanghai' },
        devices: devices.map((info) => ({ info, offlineAfter: 2 * MIN })),
        clock: proc,
        log: silentLogger(),
        dbFile: `${dir.path}/gateway.db`,
        reportsDir: `${dir.path}/reports`,
      });
      services.push(service);
      sub = bus.subscribe('uptime', (b) => service?.push(b));
      replay.inputs = service.inputs;
    };
    const crash = (): void => {
      proc?.kill();
      sub?.unsubscribe();
      replay.inputs = undefined;
      service?.ledger.close(); // no final heartbeat: the next start only knows the last one
    };

    boot();
    // crash 3 h 10.005 s in, inside the elevator fault; the last heartbeat was at 3 h 00 min 00 s
    replay.runUntil(T0 + 3 * H + 10 * S + 5);
    crash();
    // the gateway is down until 5 h 10.007 s; the devices' next report is at 5 h 11 min
    const restart1 = T0 + 5 * H + 10 * S + 7;
    replay.runUntil(restart1);
    boot();
    // crash again 11 h 5.003 s in, inside the smoke detector's silence; heartbeats ran every 30 s
    // from the restart, so the last one was at restart1 + 30 s × n = 10 h 59 min 40.007 s
    const crash2 = T0 + 11 * H + 5 * S + 3;
    const lastAlive2 = restart1 + Math.floor((crash2 - restart1) / (30 * S)) * 30 * S;
    expect(lastAlive2).toBe(T0 + 10 * H + 59 * MIN + 40 * S + 7);
    replay.runUntil(crash2);
    crash();
    const restart2 = T0 + 12 * H + 30 * MIN + 7;
    replay.runUntil(restart2);
    boot();
    replay.runUntil(T0 + 24 * H);

    const facade = (service as UptimeService).facade;
    const rows = (id: string) => facade.intervals(id, T0, T0 + 24 * H).map((r) => [r.state, r.reason, r.start, r.end]);
    const firstReportAfter1 = T0 + 5 * H + MIN;
    const firstReportAfter2 = T0 + 12 * H + 31 * MIN;
    expect(rows('elev-1')).toEqual([
      ['in_service', 'ok', T0, T0 + 2 * H],
      ['fault', 'in_service=false, fault_code=12', T0 + 2 * H, T0 + 3 * H],
      ['unknown', 'gateway_down', T0 + 3 * H, restart1],
      ['comms_lost', 'awaiting_first_sample', restart1, firstReportAfter1],
      ['fault', 'in_service=false, fault_code=12', firstReportAfter1, T0 + 8 * H],
      ['in_service', 'ok', T0 + 8 * H, lastAlive2],
      ['unknown', 'gateway_down', lastAlive2, restart2],
      ['comms_lost', 'awaiting_first_sample', restart2, firstReportAfter2],
      ['in_service', 'ok', firstReportAfter2, null],
    ]);
    expect(rows('smoke-1')).toEqual([
      ['in_service', 'ok', T0, T0 + 3 * H],
      ['unknown', 'gateway_down', T0 + 3 * H, restart1],
      ['comms_lost', 'awaiting_first_sample', restart1, firstReportAfter1],
      ['in_service', 'ok', firstReportAfter1, T0 + 10 * H],
      ['comms_lost', 'silent', T0 + 10 * H, lastAlive2],
      ['unknown', 'gateway_down', lastAlive2, restart2],
      // the start-up wait is not downtime for offlineAfter (2 min); not heard by then, it is comms lost
      ['comms_lost', 'awaiting_first_sample', restart2, restart2 + 2 * MIN],
      ['comms_lost', 'never_heard', restart2 + 2 * MIN, T0 + 14 * H],
      ['in_service', 'ok', T0 + 14 * H, null],
    ]);

    // the fault split by the outage is still one fault episode; gateway-down time is never "up"
    const day = facade.report({ from: T0, to: T0 + 24 * H, label: 'day' });
    const elev = day.devices.find((d) => d.device === 'elev-1');
    expect(elev?.faults).toBe(1);
    expect(elev?.faultMs).toBe(H + (T0 + 8 * H - firstReportAfter1));
    expect(elev?.unknownMs).toBe(restart1 - (T0 + 3 * H) + (restart2 - lastAlive2));
    // the waits for the first report after each restart are not monitored time (outside the basis)
    expect(elev?.recordedMs).toBe(24 * H - (firstReportAfter1 - restart1) - (firstReportAfter2 - restart2));
    expect(elev?.unrecordedMs).toBe((firstReportAfter1 - restart1) + (firstReportAfter2 - restart2));
  });

  it('a clean stop closes at the stop time, and an open maintenance window resumes after restart', () => {
    const clock = new VirtualClock(T0);
    const file = `${dir.path}/clean.db`;
    const boot = (): UptimeService => {
      const s = startUptime({
        config,
        site: { id: 's', name: 'S', timezone: 'Asia/Shanghai' },
        devices: devices.map((info) => ({ info, offlineAfter: 2 * H })),
        clock,
        log: silentLogger(),
        dbFile: file,
        reportsDir: `${dir.path}/reports-clean`,
      });
      services.push(s);
      return s;
    };
    let s = boot();
    s.push([{ device: 'elev-1', point: 'in_service', value: true, ts: T0, quality: 'good' }]);
    clock.advance(10 * MIN);
    s.inputs.startMaintenance('elev-1', clock.now(), 'annual inspection');
    clock.advance(7 * MIN + 3);
    const stopAt = clock.now();
    s.stop();
    clock.advance(H);
    s = boot();
    const rows = s.facade.intervals('elev-1', T0, clock.now() + 1).map((r) => [r.state, r.reason, r.start, r.end]);
    expect(rows).toEqual([
      ['in_service', 'ok', T0, T0 + 10 * MIN],
      ['maintenance', 'annual inspection', T0 + 10 * MIN, stopAt],
      ['unknown', 'gateway_down', stopAt, stopAt + H],
      ['maintenance', 'annual inspection', stopAt + H, null],
    ]);
    expect(() => s.inputs.startMaintenance('nope', clock.now(), 'x')).toThrow(/no device "nope"/);
    s.inputs.endMaintenance('elev-1', clock.now());
    // nothing heard from the elevator since the restart: after maintenance it is comms-lost
    expect(s.facade.states().find((d) => d.device === 'elev-1')).toMatchObject({ state: 'comms_lost', reason: 'awaiting_first_sample' });
  });
});
