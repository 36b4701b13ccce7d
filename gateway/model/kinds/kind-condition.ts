/**
 * Evaluates kind conditions (`{ point, eq | ne }`, `*` for one name segment, `{ all: [...] }`)
 * against the latest values of a device's points. The result is the reason
 * (`fault_code=12, zone_3_state=fault`) or undefined when none holds. Points without a value
 * (null, never read) match nothing.
 */
import type { ConditionValue, KindCondition, PointCondition } from './kind-descriptor.ts';

/** The latest values by point name (a Map, or a view over one: only these two are read). */
export interface PointValues {
  get(name: string): ConditionValue | null | undefined;
  entries(): Iterable<[string, ConditionValue | null]>;
}
export type ConditionCheck = (points: PointValues) => string | undefined;

function matches(c: PointCondition, value: ConditionValue): boolean {
  if (c.eq !== undefined) return value === c.eq;
  return value !== c.ne;
}

/** `zone_*_state` → /^zone_[^_]+_state$/; undefined for a plain name. */
export function pointPattern(point: string): RegExp | undefined {
  if (!point.includes('*')) return undefined;
  const escaped = point.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^_]+')}$`);
}

function hitsOf(c: PointCondition, pattern: RegExp | undefined, points: PointValues): string[] {
  if (!pattern) {
    const value = points.get(c.point);
    return value !== undefined && value !== null && matches(c, value) ? [`${c.point}=${String(value)}`] : [];
  }
  const hits: string[] = [];
  for (const [name, value] of points.entries()) if (value !== null && pattern.test(name) && matches(c, value)) hits.push(`${name}=${String(value)}`);
  return hits.sort();
}

export function compileConditions(conditions: readonly KindCondition[]): ConditionCheck {
  const compiled = conditions.map((c) =>
    'all' in c ? { all: c.all.map((p) => ({ c: p, pattern: pointPattern(p.point) })) } : { all: undefined, c, pattern: pointPattern(c.point) },
  );
  return (points) => {
    const reasons: string[] = [];
    for (const entry of compiled) {
      if (entry.all) {
        const parts = entry.all.map(({ c, pattern }) => hitsOf(c, pattern, points));
        if (parts.every((h) => h.length > 0)) reasons.push(parts.flat().join(' & '));
      } else {
        reasons.push(...hitsOf(entry.c, entry.pattern, points));
      }
    }
    return reasons.length > 0 ? reasons.join(', ') : undefined;
  };
}

/** Every point condition inside `conditions` (the parts of `all` included). */
export function pointConditions(conditions: readonly KindCondition[]): PointCondition[] {
  return conditions.flatMap((c) => ('all' in c ? [...c.all] : [c]));
}
