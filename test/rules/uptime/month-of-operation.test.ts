/**
 * A month of operation in virtual time: a scripted fault timeline is replayed as samples through
 * a synchronous sample bus into the uptime service, and each device's availability must equal the
 * figure computed by hand from the timeline, to 0.01 percentage points.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { startUptime } from '../../../rules/uptime/uptime-service.ts';
import { kindPolicyOf } from '../../../rules/uptime/uptime-schema.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { handComputed, TimelineReplay, type TimelineEntry } from './timeline-replay.ts';

const MIN = 60_000;
const H = 3_600_000;
const DAY = 24 * H;
/** 2026-11-01 00:00 in Asia/Shanghai. */
const FROM = Date.UTC(2026, 9, 31, 16);
const TO = FROM + 30 * DAY;
const at = (day: number, hour: number, minute = 0): number => FROM + (day - 1) * DAY + hour * H + minute * MIN;

const dev = (id: string, kind: DeviceInfo['kind'], building: string, zones?: number): DeviceInfo => ({
  id,
  name: id,
  kind,
  location: { site: 'demo', building, floor: 'F1' },
  connector: 'sim',
  ...(zones ? { zones } : {}),
});

const MONTH_DEVICES: DeviceInfo[] = [
  dev('elev-b1-1', 'elevator', 'b1'),
  dev('elev-b2-1', 'elevator', 'b2'),
  dev('pump-b1-1', 'pump', 'b1'),
  dev('pump-b2-1', 'pump', 'b2'),
  dev('fire-b1', 'fire_panel', 'b1', 8),
  dev('door-b1-1', 'access_door', 'b1'),
  dev('door-b2-1', 'access_door', 'b2'),
  dev('smoke-b1-1', 'smoke_detector', 'b1'),
  dev('smoke-b1-2', 'smoke_detector', 'b1'),
  dev('smoke-b2-1', 'smoke_detector', 'b2'),
];

/** The scripted month (the integrator substitutes the simulators' scenario timeline). */
const MONTH_TIMELINE: TimelineEntry[] = [
  { device: 'elev-b1-1', kind: 'fault', start: at(3, 8), end: at(3, 11, 30) },
  { device: 'elev-b1-1', kind: 'maintenance', start: at(10, 9), end: at(10, 13) },
  { device: 'elev-b1-1', kind: 'fault', start: at(17, 20), end: at(18, 2) },
  { device: 'elev-b2-1', kind: 'fault', start: at(5, 14), end: at(5, 14, 45) },
  { device: 'elev-b2-1', kind: 'comms', start: at(20, 0), end: at(20, 3) },
  { device: 'pump-b1-1', kind: 'fault', start: at(12, 6), end: at(13, 6) },
  { device: 'pump-b2-1', kind: 'maintenance', start: at(7, 8), end: at(7, 16) },
  { device: 'fire-b1', kind: 'comms', start: at(9, 10), end: at(9, 12) },
  { device: 'fire-b1', kind: 'fault', start: at(22, 3), end: at(22, 4, 30) },
  { device: 'door-b1-1', kind: 'fault', start: at(4, 9), end: at(4, 9, 20) },
  { device: 'door-b1-1', kind: 'comms', start: at(25, 12), end: at(25, 18) },
  { device: 'smoke-b1-1', kind: 'fault', start: at(14, 10), end: at(14, 10, 5) },
  { device: 'smoke-b1-1', kind: 'comms', start: at(15, 0), end: at(15, 8) },
  { device: 'smoke-b1-2', kind: 'maintenance', start: at(2, 10), end: at(2, 11) },
  { device: 'smoke-b1-2', kind: 'comms', start: at(28, 22), end: at(29, 1, 30) },
];

describe('a month of operation replayed in virtual time', () => {
  const dir = tempDir('uptime-month-');
  afterAll(() => dir.cleanup());

  it('gives each device the availability hand-computed from the timeline, to 0.01 points', () => {
    const clock = new VirtualClock(FROM);
    const bus = new SampleBus({ capacity: 1_000_000, delivery: 'sync' });
    const config = validateConfig({
      site: { id: 'demo', name: 'Demo', timezone: 'Asia/Shanghai' },
      buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
      uptime: { heartbeatEvery: '1h', monthlyReport: { enabled: false } },
    }).uptime;
    const service = startUptime({
      config,
      site: { id: 'demo', name: 'Demo', timezone: 'Asia/Shanghai' },
      devices: MONTH_DEVICES.map((info) => ({ info, offlineAfter: 2 * MIN })),
      clock,
      log: silentLogger(),
      dbFile: `${dir.path}/gateway.db`,
      reportsDir: `${dir.path}/reports`,
    });
    service.attach(bus);
    const replay = new TimelineReplay({ clock, bus, devices: MONTH_DEVICES, timeline: MONTH_TIMELINE, from: FROM, to: TO, samplePeriod: MIN });
    replay.inputs = service.inputs;
    replay.runUntil(TO);

    const report = service.facade.report(service.facade.resolveRange({ period: 'month', date: '2026-11' }));
    expect(report.range).toMatchObject({ from: FROM, to: TO, evaluatedTo: TO });
    for (const d of MONTH_DEVICES) {
      const row = report.devices.find((r) => r.device === d.id);
      const expected = handComputed(MONTH_TIMELINE, d.id, TO - FROM, kindPolicyOf(config, d.kind).comms);
      expect(row?.availabilityPct, d.id).not.toBeNull();
      expect(Math.abs((row?.availabilityPct as number) - expected), `${d.id}: ${row?.availabilityPct} vs ${expected}`).toBeLessThan(0.01);
    }
    const byId = (id: string) => report.devices.find((r) => r.device === id);
    // Worked by hand: elev-b1-1 has 9.5 h of faults and 4 h of maintenance in 720 h:
    // (720 − 4 − 9.5) / (720 − 4) = 706.5 / 716 = 98.6732 %
    expect(byId('elev-b1-1')?.availabilityPct).toBeCloseTo(98.6732, 3);
    expect(byId('elev-b1-1')?.faults).toBe(2);
    // days below 98 %: the 3rd (3.5 h), the 17th (4 h from 20:00) and the 18th (2 h to 02:00)
    expect(byId('elev-b1-1')?.daysBelowTarget).toBe(3);
    // smoke-b1-1: 5 min of tamper on the 14th is within 2 % of a day; 8 h silent on the 15th is not
    expect(byId('smoke-b1-1')?.daysBelowTarget).toBe(1);
    expect(byId('pump-b2-1')?.daysBelowTarget).toBe(0);
    expect(byId('elev-b1-1')?.mttrMs).toBe(4.75 * H);
    // pump-b1-1: one 24 h trip: 696 / 720 = 96.6667 %, below the 98 % target by 24 h − 2 % of 720 h
    expect(byId('pump-b1-1')?.availabilityPct).toBeCloseTo(96.6667, 3);
    expect(byId('pump-b1-1')?.meetsTarget).toBe(false);
    expect(byId('pump-b1-1')?.timeBelowTargetMs).toBeCloseTo(24 * H - 0.02 * 720 * H, 3);
    // fire-b1: 2 h comms lost count as down (life safety) + 1.5 h fault: 716.5 / 720
    expect(byId('fire-b1')?.availabilityPct).toBeCloseTo((100 * 716.5) / 720, 3);
    expect(byId('fire-b1')?.commsLostMs).toBe(2 * H);
    // door-b1-1: 6 h comms lost reported separately, 20 min fault: (714 − 1/3) / 714
    expect(byId('door-b1-1')?.excludedMs).toBe(6 * H);
    expect(byId('door-b1-1')?.availabilityPct).toBeCloseTo((100 * (714 - 1 / 3)) / 714, 3);
    expect(report.worst[0]?.device).toBe('pump-b1-1');
    expect(report.fleet).toMatchObject({ devices: 10, inGoodOrder: 10, sharePct: 100, meetsTarget: true });
    const b1 = report.buildings.find((b) => b.key === 'b1');
    expect(b1?.devices).toBe(6);
    // the ledger holds the timeline's intervals exactly, to the millisecond
    const rows = (id: string) => service.facade.intervals(id, FROM, TO).map((r) => [r.state, r.start, r.end]);
    expect(rows('elev-b2-1')).toEqual([
      ['in_service', FROM, at(5, 14)],
      ['fault', at(5, 14), at(5, 14, 45)],
      ['in_service', at(5, 14, 45), at(20, 0)],
      ['comms_lost', at(20, 0), at(20, 3)],
      ['in_service', at(20, 3), null],
    ]);
    expect(rows('pump-b2-1')).toEqual([
      ['in_service', FROM, at(7, 8)],
      ['maintenance', at(7, 8), at(7, 16)],
      ['in_service', at(7, 16), null],
    ]);
    service.stop();
  });
});
