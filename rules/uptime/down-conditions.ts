/**
 * Evaluates a kind's "down" conditions against the latest values of a device's points. The
 * result is the reason (`fault_code=12`, `zone_3_state=fault`) or undefined when none holds.
 */
import type { PointValue } from '../../gateway/model/sample.ts';
import type { DownCondition } from './uptime-schema.ts';

export type DownCheck = (points: ReadonlyMap<string, PointValue>) => string | undefined;

function matches(c: DownCondition, value: PointValue): boolean {
  if (c.eq !== undefined) return value === c.eq;
  return value !== c.ne;
}

function wildcard(point: string): RegExp | undefined {
  if (!point.includes('*')) return undefined;
  const escaped = point.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^_]+')}$`);
}

export function compileDownCheck(conditions: readonly DownCondition[]): DownCheck {
  const compiled = conditions.map((c) => ({ c, pattern: wildcard(c.point) }));
  return (points) => {
    const reasons: string[] = [];
    for (const { c, pattern } of compiled) {
      if (pattern) {
        const hits = [...points.entries()].filter(([name, value]) => pattern.test(name) && matches(c, value)).map(([name, value]) => `${name}=${String(value)}`);
        hits.sort();
        reasons.push(...hits);
      } else {
        const value = points.get(c.point);
        if (value !== undefined && matches(c, value)) reasons.push(`${c.point}=${String(value)}`);
      }
    }
    return reasons.length > 0 ? reasons.join(', ') : undefined;
  };
}
