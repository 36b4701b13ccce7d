/**
 * Map a decoded JSON payload to samples of one device: fields by path, transforms (scale, offset,
 * enum map, boolean words), the timestamp from the payload or the arrival time. Pure and total:
 * bad fields become rejections, never exceptions, and never reach the prototype chain.
 *
 * Each mapping is a schema, not a coercion: a field must already have its point's JSON type
 * (a number for a number point, `true`/`false` for a boolean, one of the kind's values for an enum,
 * a string for a string), unless the mapping says how to read it (`map` from raw values, or
 * `booleanWords`). `"yes"` is not `true` and `"15"` is not `15`: such a field is rejected, and
 * the point is pushed as `null` / `bad` with the reason, so no stale good value stays on it.
 */
import type { PointDef } from '../../model/device-kinds.ts';
import type { PointValue, Sample } from '../../model/sample.ts';
import { DEFAULT_MAX_CLOCK_SKEW } from '../runtime/clock-skew.ts';
import type { PayloadMapping, PointMapping } from './mqtt-schema.ts';

export interface FieldRejection {
  readonly point: string;
  readonly reason: string;
}

export interface MappingResult {
  /** Good samples, and a bad `null` sample for every rejected field. */
  readonly samples: Sample[];
  /** Fields that were present but not of their point's type. */
  readonly rejected: FieldRejection[];
  /** Rejections plus anything else worth reporting (an implausible timestamp). */
  readonly problems: string[];
  /** The payload's time was ahead of the arrival time by more than the allowed skew: arrival time used. */
  readonly clampedFuture: boolean;
}

const EARLIEST_TS = Date.UTC(2000, 0, 1);

/** Own-property lookup along a dotted path; `__proto__`, `constructor` etc. are never inherited. */
export function readPath(root: unknown, path: string): unknown {
  // the common case, a top-level field: no split (this runs for every point of every message)
  if (!path.includes('.')) return typeof root === 'object' && root !== null && Object.hasOwn(root, path) ? (root as Record<string, unknown>)[path] : undefined;
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function mapPayload(
  payload: unknown,
  device: string,
  points: readonly PointDef[],
  mapping: PayloadMapping | undefined,
  arrival: number,
  maxClockSkew = DEFAULT_MAX_CLOCK_SKEW,
): MappingResult {
  const problems: string[] = [];
  const samples: Sample[] = [];
  const rejected: FieldRejection[] = [];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { samples, rejected, problems: ['payload is not a JSON object'], clampedFuture: false };
  }
  const { ts, clampedFuture } = readTimestamp(payload, mapping, arrival, maxClockSkew, problems);
  for (const def of points) {
    // without a mapping a point is read from the field of its name, as is (no object per point and message)
    const rule: PointMapping | undefined = mapping ? mapping.points[def.name] : plainRule(def.name);
    if (!rule) continue;
    const raw = readPath(payload, rule.path);
    if (raw === undefined) continue;
    const value = convert(raw, def, rule);
    if (value === undefined) {
      const reason = `${rule.path}: ${describe(raw)} is not ${expected(def, rule)}`;
      rejected.push({ point: def.name, reason });
      problems.push(`${def.name}: ${reason}`);
      samples.push({ device, point: def.name, value: null, ts, quality: 'bad', reason: `payload field rejected: ${reason}` });
      continue;
    }
    samples.push({ device, point: def.name, value, ts, quality: 'good' });
  }
  return { samples, rejected, problems, clampedFuture };
}

/** Without a mapping the time is read from the `ts` field, in ms. */
const PLAIN_TIMESTAMP = Object.freeze({ path: 'ts', unit: 'ms' as const });

const plainRules = new Map<string, PointMapping>();

/** `{ path: name }`, one object per point name for the process. */
function plainRule(name: string): PointMapping {
  let rule = plainRules.get(name);
  if (!rule) plainRules.set(name, (rule = Object.freeze({ path: name })));
  return rule;
}

function readTimestamp(
  payload: object,
  mapping: PayloadMapping | undefined,
  arrival: number,
  maxClockSkew: number,
  problems: string[],
): { ts: number; clampedFuture: boolean } {
  const spec = mapping ? mapping.timestamp : PLAIN_TIMESTAMP;
  if (!spec) return { ts: arrival, clampedFuture: false };
  const raw = readPath(payload, spec.path);
  if (raw === undefined) return { ts: arrival, clampedFuture: false };
  let ts: number | undefined;
  if (spec.unit === 'iso' && typeof raw === 'string') ts = Date.parse(raw);
  else if (typeof raw === 'number') ts = spec.unit === 's' ? raw * 1000 : raw;
  if (ts === undefined || !Number.isFinite(ts) || ts < EARLIEST_TS) {
    problems.push(`timestamp: ${describe(raw)} is not a plausible time; arrival time used`);
    return { ts: arrival, clampedFuture: false };
  }
  // A device clock running fast would freeze the live value (later samples would look older).
  if (ts > arrival + maxClockSkew) return { ts: arrival, clampedFuture: true };
  return { ts: Math.round(ts), clampedFuture: false };
}

/** The point value of `raw`, or undefined when it is not of the point's type (no coercion). */
function convert(raw: unknown, def: PointDef, rule: PointMapping): PointValue | undefined {
  let value: unknown = raw;
  if (rule.map && (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean')) {
    const key = String(raw);
    if (Object.hasOwn(rule.map, key)) value = rule.map[key];
  }
  if (def.type === 'boolean' && rule.booleanWords && typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (rule.booleanWords.true.some((w) => w.toLowerCase() === word)) value = true;
    else if (rule.booleanWords.false.some((w) => w.toLowerCase() === word)) value = false;
  }
  switch (def.type) {
    case 'number': {
      if (typeof value !== 'number') return undefined;
      const scaled = value * (rule.scale ?? 1) + (rule.offset ?? 0);
      return Number.isFinite(scaled) ? scaled : undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'enum':
      return typeof value === 'string' && def.values?.includes(value) ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value.slice(0, 256) : undefined;
  }
}

function expected(def: PointDef, rule: PointMapping): string {
  const how = rule.map || rule.booleanWords ? ' (nor a key of the mapping)' : '';
  switch (def.type) {
    case 'number':
      return `a finite number${how}`;
    case 'boolean':
      return `true or false${how}`;
    case 'enum':
      return `one of ${def.values?.join('/')}${how}`;
    case 'string':
      return `a string${how}`;
  }
}

function describe(raw: unknown): string {
  const text = typeof raw === 'string' ? JSON.stringify(raw) : String(JSON.stringify(raw) ?? raw);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
