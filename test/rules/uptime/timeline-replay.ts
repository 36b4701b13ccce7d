/**
 * Replays a fault timeline in virtual time: every device reports healthy values each
 * `samplePeriod` (and at each boundary of its timeline entries), faulty values inside its `fault`
 * entries, nothing strictly inside its `comms` entries (its last report is at the entry's start,
 * the next at its end), and its maintenance entries call startMaintenance/endMaintenance.
 *
 * The timeline format is the one the month-of-operation scenario produces, so the same replay
 * runs a hand-written timeline here and the simulators' scenario timeline later.
 */
import type { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import type { VirtualClock } from '../../../gateway/model/clock.ts';
import type { BuiltinKind as DeviceKind } from '../../../gateway/model/device-kinds.ts';
import { fireZonePoint } from '../../../gateway/model/device-kinds.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { PointValue, Sample } from '../../../gateway/model/sample.ts';
import type { UptimeStateInputs } from '../../../rules/uptime/state-inputs.ts';
import type { CommsPolicy } from '../../../rules/uptime/uptime-schema.ts';

export type TimelineKind = 'fault' | 'maintenance' | 'comms';

export interface TimelineEntry {
  readonly device: string;
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, exclusive. */
  readonly end: number;
  readonly kind: TimelineKind;
}

function healthy(kind: DeviceKind, zones: number, tick: number): Record<string, PointValue> {
  switch (kind) {
    case 'elevator':
      return { in_service: true, fault_code: 0, moving: tick % 2 === 0, floor: tick % 7 };
    case 'pump':
      return { running: true, tripped: false, discharge_bar: 6.2, flow_m3h: 40 };
    case 'fire_panel': {
      const z: Record<string, PointValue> = { panel_fault: false, ac_power_ok: true, battery_v: 27.1 };
      for (let n = 1; n <= zones; n++) z[fireZonePoint(n)] = 'normal';
      return z;
    }
    case 'access_door':
      return { reader_online: true, locked: true, door_open: false };
    case 'smoke_detector':
      return { tamper: false, alarm: false, obscuration_pct_m: 0.1, heartbeat: tick };
  }
}

function faulty(kind: DeviceKind): Record<string, PointValue> {
  switch (kind) {
    case 'elevator':
      return { in_service: false, fault_code: 12 };
    case 'pump':
      return { running: false, tripped: true };
    case 'fire_panel':
      return { [fireZonePoint(3)]: 'fault' };
    case 'access_door':
      return { reader_online: false };
    case 'smoke_detector':
      return { tamper: true };
  }
}

/** Checks the timeline is usable: known devices, positive entries, no overlaps per device. */
export function checkTimeline(timeline: readonly TimelineEntry[], devices: readonly DeviceInfo[], from: number, to: number): void {
  const known = new Set(devices.map((d) => d.id));
  const byDevice = new Map<string, TimelineEntry[]>();
  for (const e of timeline) {
    if (!known.has(e.device)) throw new Error(`timeline names unknown device ${e.device}`);
    if (!(e.start < e.end) || e.start < from || e.end > to) throw new Error(`timeline entry out of range: ${JSON.stringify(e)}`);
    byDevice.set(e.device, [...(byDevice.get(e.device) ?? []), e]);
  }
  for (const [device, list] of byDevice) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      if ((sorted[i] as TimelineEntry).start < (sorted[i - 1] as TimelineEntry).end) throw new Error(`overlapping timeline entries for ${device}`);
    }
  }
}

/** Availability from the timeline alone: the formula of rules/uptime/README.md, by hand. */
export function handComputed(timeline: readonly TimelineEntry[], device: string, period: number, policy: CommsPolicy): number {
  const total = (kind: TimelineEntry['kind']): number => timeline.filter((e) => e.device === device && e.kind === kind).reduce((s, e) => s + e.end - e.start, 0);
  const fault = total('fault');
  const maintenance = total('maintenance');
  const comms = total('comms');
  const basis = period - maintenance - (policy === 'separate' ? comms : 0);
  const unplanned = fault + (policy === 'down' ? comms : 0);
  return (100 * (basis - unplanned)) / basis;
}

export class TimelineReplay {
  private readonly clock: VirtualClock;
  private readonly bus: SampleBus;
  private readonly devices: readonly DeviceInfo[];
  private readonly timeline: readonly TimelineEntry[];
  private readonly samplePeriod: number;
  private readonly from: number;
  private readonly times: number[];
  private next = 0;
  private tick = 0;
  /** Where maintenance calls go (the running uptime service; undefined while it is down). */
  inputs: UptimeStateInputs | undefined;

  constructor(o: { clock: VirtualClock; bus: SampleBus; devices: readonly DeviceInfo[]; timeline: readonly TimelineEntry[]; from: number; to: number; samplePeriod: number }) {
    checkTimeline(o.timeline, o.devices, o.from, o.to);
    if (o.clock.now() !== o.from) throw new Error('start the replay with the clock at `from`');
    this.clock = o.clock;
    this.bus = o.bus;
    this.devices = o.devices;
    this.timeline = o.timeline;
    this.samplePeriod = o.samplePeriod;
    this.from = o.from;
    const set = new Set<number>();
    for (let t = o.from; t < o.to; t += o.samplePeriod) set.add(t);
    for (const e of o.timeline) {
      set.add(e.start);
      if (e.end < o.to) set.add(e.end);
    }
    this.times = [...set].sort((a, b) => a - b);
  }

  /** Replay every report time before `until`, then move the clock to `until`. */
  runUntil(until: number): void {
    while (this.next < this.times.length && (this.times[this.next] as number) < until) {
      const t = this.times[this.next++] as number;
      this.clock.advance(t - this.clock.now());
      this.at(t);
    }
    this.clock.advance(until - this.clock.now());
  }

  private at(t: number): void {
    const onTick = (t - this.from) % this.samplePeriod === 0;
    if (onTick) this.tick++;
    for (const e of this.timeline) {
      if (e.kind !== 'maintenance' || !this.inputs) continue;
      if (e.end === t) this.inputs.endMaintenance(e.device, t);
      if (e.start === t) this.inputs.startMaintenance(e.device, t, 'preventive order');
    }
    const batch: Sample[] = [];
    for (const d of this.devices) {
      const mine = this.timeline.filter((e) => e.device === d.id);
      const boundary = mine.some((e) => e.start === t || e.end === t);
      if (!onTick && !boundary) continue;
      if (mine.some((e) => e.kind === 'comms' && e.start < t && t < e.end)) continue;
      const inFault = mine.some((e) => e.kind === 'fault' && e.start <= t && t < e.end);
      const values = { ...healthy(d.kind as DeviceKind, d.zones ?? 0, this.tick), ...(inFault ? faulty(d.kind as DeviceKind) : {}) };
      for (const [point, value] of Object.entries(values)) batch.push({ device: d.id, point, value, ts: t, quality: 'good' });
    }
    this.bus.push(batch);
  }
}
