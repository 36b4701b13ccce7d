/**
 * Map a decoded JSON payload to samples of one device: fields by path, transforms (scale, offset,
 * enum map, boolean words), the timestamp from the payload or the arrival time. Pure and total:
 * bad fields become `problems`, never exceptions, and never reach the prototype chain.
 */
import type { PointDef } from '../../model/device-kinds.ts';
import type { PointValue, Sample } from '../../model/sample.ts';
import type { PayloadMapping, PointMapping } from './mqtt-schema.ts';

export interface MappingResult {
  readonly samples: Sample[];
  readonly problems: string[];
}

const TRUE_WORDS = ['true', '1', 'on', 'yes', 'open', 'active'];
const FALSE_WORDS = ['false', '0', 'off', 'no', 'closed', 'inactive'];
const EARLIEST_TS = Date.UTC(2000, 0, 1);
const MAX_FUTURE_MS = 86_400_000;

/** Own-property lookup along a dotted path; `__proto__`, `constructor` etc. are never inherited. */
export function readPath(root: unknown, path: string): unknown {
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
): MappingResult {
  const problems: string[] = [];
  const samples: Sample[] = [];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { samples, problems: ['payload is not a JSON object'] };
  }
  const ts = readTimestamp(payload, mapping, arrival, problems);
  for (const def of points) {
    const rule: PointMapping | undefined = mapping ? mapping.points[def.name] : { path: def.name };
    if (!rule) continue;
    const raw = readPath(payload, rule.path);
    if (raw === undefined) continue;
    const value = convert(raw, def, rule);
    if (value === undefined) {
      problems.push(`${def.name}: ${describe(raw)} is not a valid ${def.type}${def.values ? ` (${def.values.join('/')})` : ''}`);
      continue;
    }
    samples.push({ device, point: def.name, value, ts, quality: 'good' });
  }
  return { samples, problems };
}

function readTimestamp(payload: object, mapping: PayloadMapping | undefined, arrival: number, problems: string[]): number {
  const spec = mapping ? mapping.timestamp : { path: 'ts', unit: 'ms' as const };
  if (!spec) return arrival;
  const raw = readPath(payload, spec.path);
  if (raw === undefined) return arrival;
  let ts: number | undefined;
  if (spec.unit === 'iso' && typeof raw === 'string') ts = Date.parse(raw);
  else if (typeof raw === 'number') ts = spec.unit === 's' ? raw * 1000 : raw;
  if (ts === undefined || !Number.isFinite(ts) || ts < EARLIEST_TS || ts > arrival + MAX_FUTURE_MS) {
    problems.push(`timestamp: ${describe(raw)} is not a plausible time; arrival time used`);
    return arrival;
  }
  return Math.round(ts);
}

function convert(raw: unknown, def: PointDef, rule: PointMapping): PointValue | undefined {
  let value: unknown = raw;
  if (rule.map) {
    const key = String(raw);
    if (Object.hasOwn(rule.map, key)) value = rule.map[key];
  }
  switch (def.type) {
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      const scaled = n * (rule.scale ?? 1) + (rule.offset ?? 0);
      return Number.isFinite(scaled) ? scaled : undefined;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
      if (typeof value !== 'string') return undefined;
      const word = value.trim().toLowerCase();
      const t = rule.booleanWords?.true.map((w) => w.toLowerCase()) ?? TRUE_WORDS;
      const f = rule.booleanWords?.false.map((w) => w.toLowerCase()) ?? FALSE_WORDS;
      return t.includes(word) ? true : f.includes(word) ? false : undefined;
    }
    case 'enum':
      return typeof value === 'string' && def.values?.includes(value) ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value.slice(0, 256) : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  }
}

function describe(raw: unknown): string {
  const text = typeof raw === 'string' ? JSON.stringify(raw) : String(JSON.stringify(raw) ?? raw);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
