/**
 * Open alarms for the whole app (the console and the priority-1 banner on every page): loaded from
 * GET /api/alarms, kept current from the live stream's `alarm` events (each persisted before it is
 * pushed), reloaded after a reconnect so nothing missed while away stays missing.
 */
import type { AlarmEvent, AlarmRecord, DeviceModeInfo, FloodInfo } from '../../../gateway/api/contract.ts';
import { api } from '../api-client.ts';
import type { LiveStream } from '../live-stream.ts';
import { applyAlarmEvent, byPriorityThenNewest, floodFromEvent, type FloodView } from './alarm-list.ts';

export interface AlarmSnapshot {
  /** Sorted: priority, then newest first. */
  readonly alarms: readonly AlarmRecord[];
  readonly floods: readonly FloodView[];
  readonly priorities: Readonly<Record<string, string>>;
  /** Life-safety devices in maintenance / out of service (their alarms are suppressed). */
  readonly lifeSafetyModes: readonly DeviceModeInfo[];
  readonly loaded: boolean;
}

interface AlarmsResponse {
  alarms: AlarmRecord[];
  floods: FloodInfo[];
  priorities: Record<string, string>;
  lifeSafetyModes?: DeviceModeInfo[];
}

/** performance.mark names: data in hand, and (set by the console) the frame after it was drawn. */
export const MARK_DATA = 'alarms-data';

export class AlarmStore {
  private readonly open = new Map<string, AlarmRecord>();
  private floods = new Map<string, FloodView>();
  private priorities: Record<string, string> = {};
  private lifeSafetyModes: DeviceModeInfo[] = [];
  private snapshot: AlarmSnapshot = { alarms: [], floods: [], priorities: {}, lifeSafetyModes: [], loaded: false };
  private readonly listeners = new Set<(s: AlarmSnapshot) => void>();
  /** Events that arrived while a load was in flight, applied on top of its answer. */
  private pending: AlarmEvent[] | null = null;
  private offs: Array<() => void> = [];

  start(live: LiveStream): void {
    this.offs.push(
      live.on((topic, data) => {
        if (topic === 'alarm') this.onEvent(data as AlarmEvent);
      }),
      live.onReconnect(() => void this.load()),
    );
    void this.load();
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  current(): AlarmSnapshot {
    return this.snapshot;
  }

  subscribe(listener: (s: AlarmSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load(): Promise<void> {
    this.pending = [];
    try {
      const r = await api<AlarmsResponse>('/api/alarms?limit=10000');
      performance.mark(MARK_DATA);
      this.open.clear();
      for (const a of r.alarms) this.open.set(a.id, a);
      this.floods = new Map(r.floods.map((f) => [f.building, { ...f, until: Date.now() + f.windowMs }]));
      this.priorities = r.priorities;
      this.lifeSafetyModes = r.lifeSafetyModes ?? [];
      for (const e of this.pending) this.apply(e);
    } finally {
      this.pending = null;
    }
    this.publish(true);
  }

  private onEvent(e: AlarmEvent): void {
    if (this.pending) {
      this.pending.push(e);
      return;
    }
    this.apply(e);
    this.publish(this.snapshot.loaded);
    // an operator changed a device's mode (suppressed / back in service): the strip's device list changed
    if (e.by !== undefined && (e.type === 'suppressed' || e.type === 'raised')) void this.load();
  }

  private apply(e: AlarmEvent): void {
    applyAlarmEvent(this.open, e);
    const flood = floodFromEvent(e);
    if (flood) this.floods.set(flood.building, flood);
  }

  private publish(loaded: boolean): void {
    const now = Date.now();
    for (const [b, f] of this.floods) if (f.until < now) this.floods.delete(b);
    this.snapshot = {
      alarms: [...this.open.values()].sort(byPriorityThenNewest),
      floods: [...this.floods.values()],
      priorities: this.priorities,
      lifeSafetyModes: this.lifeSafetyModes,
      loaded,
    };
    for (const l of this.listeners) l(this.snapshot);
  }
}
