/**
 * The rule engine: evaluates rule instances on every sample of the points they read (indexed by
 * device and point, so a sample touches only its own instances) and on Clock timers for on/off
 * delays and staleness. Debounced condition changes go to the AlarmManager.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { PointValue, Sample } from '../../../gateway/model/sample.ts';
import { CONNECTION_RULE, type AlarmManager, type RuleMeta } from '../alarm-manager.ts';
import type { AlarmSettings, RuleConfig } from '../config/rule-schema.ts';
import type { CondNode, DeviceValues, PointCell } from './conditions.ts';
import { ConfirmWatch } from './confirm-watch.ts';
import { ConnectionWatch } from './connection-watch.ts';
import { expandRules } from './rule-expansion.ts';
import { SOURCE_RULE_PREFIX } from '../source-conditions.ts';

/** The part of the sample bus the engine uses (structural, so rules/ imports no gateway class). */
export interface SampleSource {
  /** `first`: handed each batch before the telemetry consumers (storage, live view, uptime). */
  subscribe(name: string, handler: (batch: readonly Sample[]) => void | Promise<void>, opts?: { readonly first?: boolean }): { unsubscribe(): void };
}

interface Instance {
  readonly meta: RuleMeta;
  readonly device: DeviceInfo;
  readonly dev: DeviceValues;
  readonly node: CondNode;
  readonly points: readonly string[];
  readonly hasStale: boolean;
  readonly onDelay: number;
  readonly offDelay: number;
  raw: boolean | undefined;
  debounced: boolean;
  delayTimer: Timer | undefined;
  staleTimer: Timer | undefined;
}

interface DeviceIndex {
  readonly values: DeviceValues;
  readonly byPoint: Map<string, Instance[]>;
  readonly anyPoint: Instance[];
}

export interface RuleEngineOptions {
  readonly rules: readonly RuleConfig[];
  readonly devices: readonly DeviceInfo[];
  readonly clock: Clock;
  readonly alarms: AlarmManager;
  readonly log: Logger;
  /** Connection alarms per connector (absent: none). */
  readonly settings?: AlarmSettings;
}

export interface EngineStats {
  readonly instances: number;
  readonly evaluations: number;
  readonly samples: number;
  readonly errors: number;
}

export class RuleEngine {
  private readonly clock: Clock;
  private readonly alarms: AlarmManager;
  private readonly log: Logger;
  private readonly index = new Map<string, DeviceIndex>();
  private readonly instances: Instance[] = [];
  private readonly links: ConnectionWatch | undefined;
  private readonly confirms: ConfirmWatch | undefined;
  private readonly devices: readonly DeviceInfo[];
  private subscription: { unsubscribe(): void } | undefined;
  private stopped = false;
  private evaluations = 0;
  private samples = 0;
  private errors = 0;

  constructor(options: RuleEngineOptions) {
    this.clock = options.clock;
    this.alarms = options.alarms;
    this.log = options.log;
    this.links = options.settings ? new ConnectionWatch(options.devices, options.settings, options.alarms) : undefined;
    const confirms = new ConfirmWatch(options.rules, options.alarms, options.clock);
    this.confirms = confirms.size > 0 ? confirms : undefined;
    this.devices = options.devices;
    options.alarms.onRetried(() => this.realign());
    const since = this.clock.monotonic();
    for (const d of options.devices) {
      this.index.set(d.id, { values: { points: new Map(), lastGoodMono: since, sinceMono: since }, byPoint: new Map(), anyPoint: [] });
    }
    for (const spec of expandRules(options.rules, options.devices)) {
      const entry = this.index.get(spec.device.id) as DeviceIndex;
      const compiled = spec.compile();
      const inst: Instance = {
        meta: spec.meta,
        device: spec.device,
        dev: entry.values,
        node: compiled.node,
        points: [...compiled.points],
        hasStale: compiled.hasStale,
        onDelay: spec.onDelay,
        offDelay: spec.offDelay,
        raw: undefined,
        debounced: false,
        delayTimer: undefined,
        staleTimer: undefined,
      };
      this.instances.push(inst);
      if (compiled.anyPoint) entry.anyPoint.push(inst);
      for (const p of compiled.points) {
        let list = entry.byPoint.get(p);
        if (!list) entry.byPoint.set(p, (list = []));
        if (!compiled.anyPoint) list.push(inst);
      }
    }
  }

  /**
   * Start from current values (the live view after a restart): open alarms keep their condition
   * state, and each instance is evaluated once so that conditions that changed while the gateway
   * was down raise or clear now. Then subscribe to the bus.
   */
  start(source: SampleSource | undefined, seed: readonly Sample[] = []): void {
    const mono = this.clock.monotonic();
    const now = this.clock.now();
    for (const s of seed) {
      this.store(s, s.quality === 'good' && s.value !== null ? mono - Math.max(0, now - s.ts) : undefined);
      this.links?.observe(s);
    }
    const known = new Set<string>();
    for (const inst of this.instances) {
      known.add(`${inst.meta.rule}\u0000${inst.device.id}`);
      const open = this.alarms.openFor(inst.meta.rule, inst.device.id);
      inst.debounced = open?.conditionActive ?? false;
      inst.raw = inst.debounced;
    }
    for (const key of this.confirms?.knownKeys(this.devices) ?? []) known.add(key);
    this.confirms?.seed(this.signalStates());
    this.alarms.batch(() => {
      for (const a of this.alarms.openRecords()) {
        // An alarm whose rule is gone from the config cannot clear by itself: clear it once.
        // (a source condition's alarm has no rule in the config: its source clears it, after a refresh)
        if (a.conditionActive && a.rule !== CONNECTION_RULE && !a.rule.startsWith(SOURCE_RULE_PREFIX) && !known.has(`${a.rule}\u0000${a.device}`)) {
          this.alarms.conditionChanged(
            { rule: a.rule, title: a.title, priority: a.priority, latching: a.latching, workOrder: a.workOrder },
            { id: a.device, kind: a.kind, location: { site: a.site, building: a.building, floor: a.floor } },
            false,
            { rule_removed: true },
          );
        }
      }
      this.links?.settle();
      for (const inst of this.instances) this.evaluate(inst, mono);
    });
    for (const inst of this.instances) if (inst.hasStale) this.armStale(inst, mono);
    if (source) this.subscription = source.subscribe('rules', (batch) => this.onSamples(batch), { first: true });
  }

  /** Evaluate every instance that reads a point of these samples; one transaction per batch. */
  onSamples(batch: readonly Sample[]): void {
    if (this.stopped) return;
    try {
      this.alarms.batch(() => {
        const mono = this.clock.monotonic();
        for (const s of batch) {
          const entry = this.store(s, mono);
          if (!entry) continue;
          this.links?.observe(s);
          this.samples++;
          const cell = entry.values.points.get(s.point) as PointCell;
          const list = entry.byPoint.get(s.point);
          if (list) for (const inst of list) this.onSample(inst, s.point, cell, mono);
          for (const inst of entry.anyPoint) this.onSample(inst, s.point, cell, mono);
        }
        this.links?.settle();
      });
    } catch {
      // the manager logged the real error once (per state change) and keeps the condition changes
      // of this batch for its retry; memory is the committed state again
      this.errors++;
      this.resync();
    }
  }

  /**
   * After retried condition changes were journaled: take the committed condition state, then judge
   * every instance again on the current values (a condition that ended while the disk was full
   * clears now instead of waiting for its next change).
   */
  private realign(): void {
    if (this.stopped) return;
    this.guard(() =>
      this.alarms.batch(() => {
        for (const inst of this.instances) {
          inst.debounced = this.alarms.openFor(inst.meta.rule, inst.device.id)?.conditionActive ?? false;
          inst.raw = undefined;
          inst.delayTimer?.cancel();
          inst.delayTimer = undefined;
        }
        this.confirms?.realign(this.signalStates());
        for (const inst of this.instances) this.evaluate(inst);
      }),
    );
  }

  /**
   * After a failed transaction the manager reloaded the committed alarms; align the instances with
   * them and forget the last raw result, so the next sample decides (and retries) the change.
   */
  private resync(): void {
    for (const inst of this.instances) {
      inst.debounced = this.alarms.openFor(inst.meta.rule, inst.device.id)?.conditionActive ?? false;
      inst.raw = undefined;
      inst.delayTimer?.cancel();
      inst.delayTimer = undefined;
    }
    this.confirms?.realign(this.signalStates());
  }

  private signalStates(): Array<{ rule: string; device: DeviceInfo; active: boolean }> {
    return this.instances.map((i) => ({ rule: i.meta.rule, device: i.device, active: i.debounced }));
  }

  /** The (device, point) pairs read by rules of priority 1 (life safety): the bus's priority lane. */
  lifeSafetyPoints(): Array<{ device: string; point: string }> {
    return this.instances.filter((i) => i.meta.priority === 1).flatMap((i) => i.points.map((point) => ({ device: i.device.id, point })));
  }

  stats(): EngineStats {
    return { instances: this.instances.length, evaluations: this.evaluations, samples: this.samples, errors: this.errors };
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    for (const inst of this.instances) {
      inst.delayTimer?.cancel();
      inst.staleTimer?.cancel();
    }
  }

  private store(s: Sample, goodMono: number | undefined): DeviceIndex | undefined {
    const entry = this.index.get(s.device);
    if (!entry) return undefined;
    const prev = entry.values.points.get(s.point);
    if (prev && prev.ts > s.ts) return undefined; // a late, older sample changes nothing
    const good = s.quality === 'good' && s.value !== null && goodMono !== undefined;
    if (prev) {
      prev.value = s.value;
      prev.ts = s.ts;
      prev.quality = s.quality;
      if (good) prev.goodMono = goodMono;
    } else {
      entry.values.points.set(s.point, { value: s.value, ts: s.ts, quality: s.quality, goodMono: good ? goodMono : Number.NaN });
    }
    if (good && goodMono > entry.values.lastGoodMono) entry.values.lastGoodMono = goodMono;
    return entry;
  }

  private onSample(inst: Instance, point: string, cell: PointCell, mono: number): void {
    inst.node.observe(point, cell);
    this.evaluate(inst, mono);
    if (inst.hasStale && !inst.staleTimer) this.armStale(inst, mono);
  }

  /** `mono`: the instant judged; a stale timer armed after it must be computed from the same one. */
  private evaluate(inst: Instance, mono = this.clock.monotonic()): void {
    this.evaluations++;
    const r = inst.node.evaluate(inst.dev, mono);
    if (r === undefined || r === inst.raw) return;
    inst.raw = r;
    inst.delayTimer?.cancel();
    inst.delayTimer = undefined;
    if (r === inst.debounced) return; // bounced back within the delay
    const delay = r ? inst.onDelay : inst.offDelay;
    if (delay <= 0) {
      this.setDebounced(inst, r);
      return;
    }
    inst.delayTimer = this.clock.setTimer(delay, () => {
      inst.delayTimer = undefined;
      if (this.stopped || inst.raw !== r) return;
      this.guard(() => this.alarms.batch(() => this.setDebounced(inst, r)));
    });
  }

  private setDebounced(inst: Instance, active: boolean): void {
    inst.debounced = active;
    this.alarms.conditionChanged(inst.meta, inst.device, active, this.valuesOf(inst));
    this.confirms?.onCondition(inst.meta.rule, inst.device, active); // `confirm` rules, same transaction
  }

  private valuesOf(inst: Instance): Record<string, PointValue> {
    const out: Record<string, PointValue> = {};
    for (const p of inst.points) {
      const cell = inst.dev.points.get(p);
      if (cell && cell.value !== null) out[p] = cell.value;
    }
    if (inst.hasStale) out.silent_s = Math.round((this.clock.monotonic() - inst.dev.lastGoodMono) / 1000);
    return out;
  }

  /**
   * Keep one timer per stale-watching instance, due when it could next become stale. The timer is
   * computed from the same instant the instance was last judged at (`mono`): a timer may fire a
   * little early (the event loop counts whole milliseconds) and the judging takes time, so with a
   * fresh clock reading the instance could be judged "not yet stale" and then found "already stale,
   * no timer needed", and a silent device would never raise its comms-lost alarm.
   */
  private armStale(inst: Instance, mono = this.clock.monotonic()): void {
    if (inst.staleTimer || this.stopped) return;
    const ms = inst.node.staleIn(inst.dev, mono);
    if (ms === undefined) return;
    inst.staleTimer = this.clock.setTimer(ms, () => {
      inst.staleTimer = undefined;
      if (this.stopped) return;
      const at = this.clock.monotonic();
      this.guard(() => this.alarms.batch(() => this.evaluate(inst, at)));
      this.armStale(inst, at);
    });
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      this.errors++; // logged once by the manager's write health; retried by the manager
      this.resync();
    }
  }
}
