/**
 * From configured rules and devices to rule instances: one per (rule, device in scope), or one per
 * matching point for `perPoint` rules (`fire.zone-fire/zone_3_state`).
 */
import { pointsOfDevice } from '../../../gateway/model/device-kinds.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { AlarmPriority } from '../alarm-model.ts';
import type { RuleMeta } from '../alarm-manager.ts';
import type { RuleConfig } from '../config/rule-schema.ts';
import { compileCondition, matchPoints, pointRefs, type CompiledCondition } from './conditions.ts';

export interface InstanceSpec {
  readonly meta: RuleMeta;
  readonly device: DeviceInfo;
  readonly onDelay: number;
  readonly offDelay: number;
  readonly compile: () => CompiledCondition;
}

export function devicePoints(d: DeviceInfo): string[] {
  return pointsOfDevice(d).map((p) => p.name);
}

export function inScope(rule: RuleConfig, d: DeviceInfo): boolean {
  const s = rule.scope;
  if (s.kind !== undefined && d.kind !== s.kind) return false;
  if (s.devices !== undefined && !s.devices.includes(d.id)) return false;
  if (s.building !== undefined && d.location.building !== s.building) return false;
  if (s.floor !== undefined && d.location.floor !== s.floor) return false;
  return true;
}

/** The pattern a perPoint rule expands over: its first point reference with a `*`. */
export function expansionPattern(rule: RuleConfig): string | undefined {
  return rule.perPoint ? pointRefs(rule.when).find((r) => r.includes('*')) : undefined;
}

export function expandRules(rules: readonly RuleConfig[], devices: readonly DeviceInfo[]): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  const pointsCache = new Map<string, string[]>();
  for (const rule of rules) {
    const when = rule.when;
    if (when.type === 'confirm') continue; // rules/alarms/engine/confirm-watch.ts
    const pattern = expansionPattern(rule);
    for (const device of devices) {
      if (!inScope(rule, device)) continue;
      let available = pointsCache.get(device.id);
      if (!available) pointsCache.set(device.id, (available = devicePoints(device)));
      const points = available;
      const bindAll = (ref: string): string[] => matchPoints(ref, points).map((m) => m.point);
      const base = {
        device,
        onDelay: rule.onDelay,
        offDelay: rule.offDelay,
      };
      const meta = (id: string, title: string): RuleMeta => ({
        rule: id,
        title,
        priority: rule.priority as AlarmPriority,
        latching: rule.latching,
        workOrder: rule.workOrder ?? null,
        lifeSafety: rule.lifeSafety,
        groupUnder: rule.groupUnder,
      });
      if (pattern === undefined) {
        out.push({ ...base, meta: meta(rule.id, rule.title.replaceAll('{match}', '*')), compile: () => compileCondition(when, bindAll) });
        continue;
      }
      for (const m of matchPoints(pattern, points)) {
        const bind = (ref: string): string[] => (ref === pattern ? [m.point] : bindAll(ref));
        out.push({ ...base, meta: meta(`${rule.id}/${m.point}`, rule.title.replaceAll('{match}', m.match)), compile: () => compileCondition(when, bind) });
      }
    }
  }
  return out;
}
