/**
 * The live view: the last value of every point of every device, with its time and quality, and
 * whether each device is online (a good sample within its `offlineAfter`). Fed from the bus; seeded
 * from the store at start-up so values survive a restart.
 */
import type { Clock } from '../model/clock.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { PointValue, Quality, Sample } from '../model/sample.ts';

export interface PointState {
  /** null when nothing trustworthy was read (see `reason`). */
  readonly value: PointValue | null;
  readonly ts: number;
  readonly quality: Quality;
  readonly reason?: string;
}

export interface DeviceState {
  readonly online: boolean;
  readonly lastGood: number | null;
  readonly points: Readonly<Record<string, PointState>>;
}

type Listener = (batch: readonly Sample[]) => void;

export class LiveView {
  private readonly points = new Map<string, Map<string, PointState>>();
  private readonly lastGood = new Map<string, number>();
  private readonly offlineAfter: ReadonlyMap<string, number>;
  private readonly clock: Clock;
  private readonly listeners = new Set<Listener>();

  constructor(clock: Clock, devices: ReadonlyArray<{ info: DeviceInfo; offlineAfter: number }>) {
    this.clock = clock;
    this.offlineAfter = new Map(devices.map((d) => [d.info.id, d.offlineAfter]));
    for (const d of devices) this.points.set(d.info.id, new Map());
  }

  apply(batch: readonly Sample[]): void {
    for (const s of batch) {
      const device = this.points.get(s.device);
      if (!device) continue;
      const prev = device.get(s.point);
      if (prev && prev.ts > s.ts) continue; // a late, older sample does not overwrite a newer one
      device.set(s.point, s.reason === undefined ? { value: s.value, ts: s.ts, quality: s.quality } : { value: s.value, ts: s.ts, quality: s.quality, reason: s.reason });
      if (s.quality === 'good' && s.value !== null) this.lastGood.set(s.device, Math.max(this.lastGood.get(s.device) ?? 0, s.ts));
    }
    for (const l of this.listeners) l(batch);
  }

  /** Be told of every batch applied (the dashboard's push channel uses this). */
  onUpdate(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(device: string): DeviceState | undefined {
    const points = this.points.get(device);
    if (!points) return undefined;
    const lastGood = this.lastGood.get(device) ?? null;
    const limit = this.offlineAfter.get(device) ?? 120_000;
    return {
      online: lastGood !== null && this.clock.now() - lastGood <= limit,
      lastGood,
      points: Object.fromEntries(points),
    };
  }
}
