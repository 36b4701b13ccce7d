/**
 * The live view: the last value of every point of every device, with its time, quality and
 * reason; the connector's comms state of each device; and the device's condition (see
 * device-condition.ts). Fed from the bus; seeded from the store at start-up so values survive a
 * restart (a seeded value says nothing about comms: the device stays `unknown` until its
 * connector reports).
 *
 * Comms state follows the sample contract (gateway/model/sample.ts): unknown before any sample,
 * lost on a `comms lost` sample, ok on a good one. `online` is exactly "comms ok".
 */
import type { DeviceInfo } from '../model/device.ts';
import { fireZonePoint, kindDescriptor, pointsOfDevice } from '../model/kinds/index.ts';
import type { ZonePlace } from '../model/zone-places.ts';
import { REASON, type PointValue, type Quality, type Sample } from '../model/sample.ts';
import { compileDeviceCondition, type CommsState, type ConditionRule, type DeviceCondition } from './device-condition.ts';

/** The reason a connector gives when it loses a device (REASON.commsLost of the sample contract). */
export const COMMS_LOST_REASON = REASON.commsLost;

/** A sample as the live view takes it: the sample contract, where a value may be null with a reason. */
export type LiveSample = Sample;

export interface PointState {
  readonly value: PointValue | null;
  readonly ts: number;
  readonly quality: Quality;
  readonly reason?: string;
}

export interface DeviceState {
  readonly online: boolean;
  readonly comms: CommsState;
  readonly lastGood: number | null;
  readonly condition: DeviceCondition;
  readonly points: Readonly<Record<string, PointState>>;
}

export interface ZoneState extends ZonePlace {
  readonly point: string;
  readonly condition: DeviceCondition;
}

export interface ConditionChange {
  readonly device: string;
  readonly online: boolean;
  readonly comms: CommsState;
  readonly condition: DeviceCondition;
}

type Listener<S extends LiveSample> = (batch: readonly S[]) => void;

interface Entry {
  readonly info: DeviceInfo;
  readonly points: Map<string, PointState>;
  readonly pointNames: readonly string[];
  readonly rule: ConditionRule;
  comms: CommsState;
  lastGood: number | null;
  condition: DeviceCondition;
  /** What listeners were last told of the device (undefined before the first change). */
  published?: { readonly comms: CommsState; readonly condition: string; readonly reason: string };
}

export interface LiveViewOptions {
  /** Operator-set mode of a device (`in_service`, `maintenance`, `out_of_service`). */
  readonly modeOf?: (device: string) => string | undefined;
}

export class LiveView<S extends LiveSample = LiveSample> {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<Listener<S>>();
  private readonly conditionListeners = new Set<(change: ConditionChange) => void>();
  private readonly modeOf: (device: string) => string | undefined;

  constructor(devices: readonly DeviceInfo[], options: LiveViewOptions = {}) {
    this.modeOf = options.modeOf ?? (() => undefined);
    const rules = new Map<string, ConditionRule>();
    for (const info of devices) {
      const rule = rules.get(info.kind) ?? compileDeviceCondition(kindDescriptor(info.kind));
      rules.set(info.kind, rule);
      const pointNames = pointsOfDevice(info).map((p) => p.name);
      const entry: Entry = { info, points: new Map(), pointNames, rule, comms: 'unknown', lastGood: null, condition: { condition: 'unknown', reason: 'nothing read yet' } };
      entry.condition = this.evaluate(entry);
      this.entries.set(info.id, entry);
    }
  }

  /** Values kept from before a restart: shown with their time, but comms stays unknown. */
  seed(batch: readonly LiveSample[]): void {
    for (const s of batch) this.entries.get(s.device)?.points.set(s.point, pointState(s));
    for (const e of this.entries.values()) e.condition = this.evaluate(e);
  }

  apply(batch: readonly S[]): void {
    const touched = new Set<Entry>();
    for (const s of batch) {
      const entry = this.entries.get(s.device);
      if (!entry) continue;
      touched.add(entry);
      const lost = s.reason === COMMS_LOST_REASON;
      // a good sample that arrives is proof the connector hears the device, whatever its source time
      if (lost) entry.comms = 'lost';
      else if (s.quality === 'good') entry.comms = 'ok';
      const prev = entry.points.get(s.point);
      // a late, older sample does not overwrite a newer value, except the comms-lost mark (a device
      // whose clock is behind the gateway's must come back after a loss)
      if (prev && prev.ts > s.ts && !lost && prev.reason !== COMMS_LOST_REASON) continue;
      entry.points.set(s.point, pointState(s));
      if (s.quality === 'good' && s.value !== null) entry.lastGood = Math.max(entry.lastGood ?? 0, s.ts);
    }
    for (const l of this.listeners) l(batch);
    for (const e of touched) this.update(e);
  }

  /** Re-evaluate a device's condition (its mode changed). */
  refresh(device: string): void {
    const e = this.entries.get(device);
    if (e) this.update(e);
  }

  /** Be told of every batch applied (the dashboard's push channel uses this). */
  onUpdate(listener: Listener<S>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Be told when a device's condition or online state changes. */
  onCondition(listener: (change: ConditionChange) => void): () => void {
    this.conditionListeners.add(listener);
    return () => this.conditionListeners.delete(listener);
  }

  state(device: string): DeviceState | undefined {
    const e = this.entries.get(device);
    if (!e) return undefined;
    return { online: e.comms === 'ok', comms: e.comms, lastGood: e.lastGood, condition: e.condition, points: Object.fromEntries(e.points) };
  }

  /**
   * The condition of each detection zone of a device, by the same rule as the device's, on the
   * zone's own point, with the zone's place.
   */
  zones(device: string): ZoneState[] {
    const e = this.entries.get(device);
    if (!e?.info.zonePlaces) return [];
    const mode = this.modeOf(device);
    return e.info.zonePlaces.map((place) => {
      const point = fireZonePoint(place.n);
      const p = e.points.get(point);
      const condition = e.rule({ comms: e.comms, points: new Map(p ? [[point, p]] : []), pointNames: [point], ...(mode !== undefined ? { mode } : {}) });
      return { ...place, point, condition };
    });
  }

  /** Devices whose connector reports them lost. */
  commsLost(): string[] {
    return [...this.entries.values()].filter((e) => e.comms === 'lost').map((e) => e.info.id);
  }

  private evaluate(e: Entry): DeviceCondition {
    const mode = this.modeOf(e.info.id);
    return e.rule({ comms: e.comms, points: e.points, pointNames: e.pointNames, ...(mode !== undefined ? { mode } : {}) });
  }

  private update(e: Entry): void {
    e.condition = this.evaluate(e);
    const online = e.comms === 'ok';
    const last = e.published;
    if (last !== undefined && last.comms === e.comms && last.condition === e.condition.condition && last.reason === e.condition.reason) return;
    e.published = { comms: e.comms, condition: e.condition.condition, reason: e.condition.reason };
    for (const l of this.conditionListeners) l({ device: e.info.id, online, comms: e.comms, condition: e.condition });
  }
}

function pointState(s: LiveSample): PointState {
  return { value: s.value, ts: s.ts, quality: s.quality, ...(s.reason !== undefined ? { reason: s.reason } : {}) };
}
