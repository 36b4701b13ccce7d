/**
 * One OPC UA value + status code → point value and quality. Pure, no node-opcua types needed:
 * the caller passes the raw variant value and the numeric status code.
 *
 * Quality follows the status code's severity bits (Good → good, Uncertain → uncertain, Bad → bad).
 * Enum points take an integer raw value through the node's `map`, else as an index into the
 * point's values (fire zone: 0 normal, 1 fire, 2 fault, 3 disabled).
 */
import type { PointDef } from '../../model/device-kinds.ts';
import type { PointValue, Quality } from '../../model/sample.ts';

export function qualityOf(statusCode: number): Quality {
  const severity = statusCode >>> 30;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}

export interface PointRule {
  readonly point: PointDef;
  readonly map: Readonly<Record<string, string | number | boolean>> | undefined;
  readonly scale: number | undefined;
  readonly offset: number | undefined;
}

/** The point value of `raw`, or undefined when it cannot be one (wrong type, unknown enum code). */
export function convertValue(raw: unknown, rule: PointRule): PointValue | undefined {
  let value: unknown = numeric64(raw);
  if (rule.map) {
    const key = String(value);
    if (Object.hasOwn(rule.map, key)) value = rule.map[key];
    else if (rule.point.type === 'enum') return undefined;
  }
  const def = rule.point;
  switch (def.type) {
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : NaN;
      const scaled = n * (rule.scale ?? 1) + (rule.offset ?? 0);
      return Number.isFinite(scaled) ? scaled : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
      return undefined;
    case 'enum': {
      const values = def.values ?? [];
      if (typeof value === 'string') return values.includes(value) ? value : undefined;
      if (typeof value === 'number' && Number.isInteger(value)) return values[value];
      return undefined;
    }
    case 'string':
      if (typeof value === 'string') return value.slice(0, 256);
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'boolean') return String(value);
      return undefined;
  }
}

/** node-opcua gives Int64/UInt64 as `[high, low]` 32-bit words; fold them to a number. */
function numeric64(raw: unknown): unknown {
  if (Array.isArray(raw) && raw.length === 2 && typeof raw[0] === 'number' && typeof raw[1] === 'number') {
    return raw[0] * 0x1_0000_0000 + (raw[1] >>> 0);
  }
  return raw;
}
