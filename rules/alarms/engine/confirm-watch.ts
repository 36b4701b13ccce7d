/**
 * `confirm` rules (GB 50116 §4.1.6, two independent detectors): a confirm rule counts the alarm
 * signals of the rules it lists, per independent source (a device, or each zone of a device) in one
 * area (a building or a floor). When `count` different sources of one area started their signal
 * within `window` of each other, the rule's alarm is raised for the area (subject `area:<building>`
 * or `area:<building>/<floor>`) in the same transaction as the signal that tipped it; the single
 * alarms were already raised on their own. It clears when no source of the area is active any more.
 *
 * Sources are the engine's debounced condition changes (after on-delays), so a bouncing detector is
 * one signal. Start times are monotonic; after a restart the sources still active count as starting
 * then.
 */
import type { Clock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { AlarmPriority } from '../alarm-model.ts';
import type { AlarmManager, AlarmSubject, RuleMeta } from '../alarm-manager.ts';
import type { ConfirmCondition, RuleConfig } from '../config/rule-schema.ts';
import { inScope } from './rule-expansion.ts';

interface Source {
  /** The instance rules whose signal is active on this source (a device may have several). */
  readonly signals: Set<string>;
  /** Monotonic time the current (or last) signal of this source started. */
  since: number;
  readonly device: DeviceInfo;
}

interface Confirm {
  readonly rule: RuleConfig;
  readonly c: ConfirmCondition;
  /** area id → source key → source */
  readonly areas: Map<string, Map<string, Source>>;
}

export const CONFIRM_AREA_PREFIX = 'area:';

export interface SignalState {
  readonly rule: string;
  readonly device: DeviceInfo;
  readonly active: boolean;
}

export class ConfirmWatch {
  private readonly confirms: Confirm[] = [];
  private readonly alarms: AlarmManager;
  private readonly clock: Clock;

  constructor(rules: readonly RuleConfig[], alarms: AlarmManager, clock: Clock) {
    this.alarms = alarms;
    this.clock = clock;
    for (const rule of rules) {
      const c = rule.when;
      if (rule.enabled && c.type === 'confirm') this.confirms.push({ rule, c, areas: new Map() });
    }
  }

  get size(): number {
    return this.confirms.length;
  }

  /** The (rule, subject) keys confirm alarms can have (so the engine does not take them for removed rules). */
  knownKeys(devices: readonly DeviceInfo[]): string[] {
    return this.confirms.flatMap((k) => devices.filter((d) => inScope(k.rule, d)).map((d) => `${k.rule.id}\u0000${areaOf(k.c, d).id}`));
  }

  /** A source's debounced condition changed (inside the engine's batch): raise or clear at once. */
  onCondition(instanceRule: string, device: DeviceInfo, active: boolean): void {
    for (const k of this.confirms) {
      const hit = this.record(k, instanceRule, device, active);
      if (hit) this.decide(k, hit.area, hit.sources, hit.started);
    }
  }

  /** Sources active at start (after a restart) count as starting now; nothing is raised here. */
  seed(states: readonly SignalState[]): void {
    for (const st of states) if (st.active) for (const k of this.confirms) this.record(k, st.rule, st.device, true);
  }

  /** After a failed transaction: the sources take the committed states (start times kept). */
  realign(states: readonly SignalState[]): void {
    for (const k of this.confirms) for (const sources of k.areas.values()) for (const s of sources.values()) s.signals.clear();
    this.seedKeepingTimes(states);
  }

  private seedKeepingTimes(states: readonly SignalState[]): void {
    for (const st of states) {
      if (!st.active) continue;
      for (const k of this.confirms) {
        if (!counts(k.c, st.rule) || !inScope(k.rule, st.device)) continue;
        const sources = this.sourcesOf(k, areaOf(k.c, st.device).id);
        const key = sourceKey(k.c, st.rule, st.device);
        const s = sources.get(key);
        if (s) s.signals.add(st.rule);
        else sources.set(key, { signals: new Set([st.rule]), since: this.clock.monotonic(), device: st.device });
      }
    }
  }

  private sourcesOf(k: Confirm, areaId: string): Map<string, Source> {
    let sources = k.areas.get(areaId);
    if (!sources) k.areas.set(areaId, (sources = new Map()));
    return sources;
  }

  private record(k: Confirm, rule: string, device: DeviceInfo, active: boolean): { area: AlarmSubject; sources: Map<string, Source>; started: boolean } | undefined {
    if (!counts(k.c, rule) || !inScope(k.rule, device)) return undefined;
    const area = areaOf(k.c, device);
    const sources = this.sourcesOf(k, area.id);
    const key = sourceKey(k.c, rule, device);
    let s = sources.get(key);
    if (!s) sources.set(key, (s = { signals: new Set(), since: this.clock.monotonic(), device }));
    const wasActive = s.signals.size > 0;
    if (active) s.signals.add(rule);
    else s.signals.delete(rule);
    const started = !wasActive && s.signals.size > 0;
    if (started) s.since = this.clock.monotonic();
    return { area, sources, started };
  }

  private decide(k: Confirm, area: AlarmSubject, sources: Map<string, Source>, started: boolean): void {
    const open = this.alarms.openFor(k.rule.id, area.id);
    const isActive = open?.conditionActive ?? false;
    const where = area.location.floor ? `${area.location.building}/${area.location.floor}` : area.location.building;
    if (!isActive && started) {
      const now = this.clock.monotonic();
      const recent = [...sources.values()].filter((s) => now - s.since <= k.c.window);
      if (recent.length < k.c.count) return;
      const tipping = recent.reduce((a, b) => (b.since >= a.since ? b : a));
      this.alarms.conditionChanged(metaOf(k.rule, where), { ...area, kind: tipping.device.kind }, true, {
        sources: recent.length,
        confirmed_by: [...new Set(recent.map((s) => s.device.id))].join(', '),
      });
      return;
    }
    if (isActive && ![...sources.values()].some((s) => s.signals.size > 0)) {
      this.alarms.conditionChanged(metaOf(k.rule, where), { ...area, kind: open?.kind ?? area.kind }, false, { sources: 0 });
    }
  }
}

function metaOf(rule: RuleConfig, where: string): RuleMeta {
  return {
    rule: rule.id,
    title: rule.title.replaceAll('{area}', where),
    priority: rule.priority as AlarmPriority,
    latching: rule.latching,
    workOrder: rule.workOrder ?? null,
    lifeSafety: rule.lifeSafety,
    groupUnder: rule.groupUnder,
  };
}

function sourceKey(c: ConfirmCondition, rule: string, device: DeviceInfo): string {
  return c.independent === 'zone' ? `${device.id}\u0000${rule}` : device.id;
}

/** A rule instance (`fire.zone-fire/zone_3_state`) counts for a confirm listing its rule id. */
function counts(c: ConfirmCondition, instanceRule: string): boolean {
  return c.rules.some((id) => instanceRule === id || instanceRule.startsWith(`${id}/`));
}

function areaOf(c: ConfirmCondition, d: DeviceInfo): AlarmSubject {
  const { site, building, floor } = d.location;
  return c.area === 'floor'
    ? { id: `${CONFIRM_AREA_PREFIX}${building}/${floor}`, kind: d.kind, location: { site, building, floor } }
    : { id: `${CONFIRM_AREA_PREFIX}${building}`, kind: d.kind, location: { site, building, floor: '' } };
}
