/**
 * InfluxDB line protocol, pure: escaping and the encoding of samples into lines.
 *
 *   <measurement>,<tag>=<v>,... <field>=<v>,... <timestamp-ns>
 *
 * One line per (device, timestamp): every sample of a device carrying the same timestamp becomes
 * a field of that line. The measurement is the device kind; tags are site, building (id),
 * building_name (display name, often Chinese), floor and device, sorted by key as InfluxDB prefers.
 *
 * Escaping (https://docs.influxdata.com/influxdb/v1.8/write_protocols/line_protocol_reference/):
 * - measurement: comma and space;
 * - tag keys, tag values, field keys: comma, equals sign and space;
 * - string field values: double quote and backslash;
 * - a backslash is written as is (InfluxDB 1.x/2.x read it literally), except where it would escape
 *   the character after it (a separator, or the end of the value): there it cannot be represented
 *   (`\\` is not unescaped in names and tag values) and becomes "/";
 * - line breaks cannot be escaped in names and tag values: they become spaces (escaped).
 * Non-ASCII text (UTF-8) needs no escaping.
 */
import type { PointValue, Sample } from '../model/sample.ts';

/**
 * The unit of every timestamp `encodeSamples` writes: whoever posts its lines must say so
 * (`precision=ns` on InfluxDB 1.x `/write`, `'ns'` to the v2 client). Posted with `precision=ms`,
 * a line of 2026 reads as a time in the year 56 million and InfluxDB answers 400 "time outside range".
 */
export const LINE_PRECISION = 'ns' as const;

/** Escape a measurement name. */
export function escapeMeasurement(name: string): string {
  return escapeWith(name, /[, \\\r\n]/, false);
}

/** Escape a tag key, tag value or field key. */
export function escapeKey(name: string): string {
  return escapeWith(name, /[,= \\\r\n]/, true);
}

function escapeWith(text: string, special: RegExp, escapeEquals: boolean): string {
  if (!special.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\r' || c === '\n') out += '\\ ';
    else if (c === '\\') {
      // InfluxDB reads a backslash literally unless an escapable character follows; `\\` is not
      // unescaped in names and tag values, so a backslash before a separator or at the end cannot
      // be represented: it becomes "/".
      const next = text[i + 1];
      const ambiguous = next === undefined || next === ',' || next === ' ' || next === '\r' || next === '\n' || (next === '=' && escapeEquals);
      out += ambiguous ? '/' : '\\';
    } else if (c === ',' || c === ' ' || (c === '=' && escapeEquals)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** Quote and escape a string field value. */
export function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A field value, or undefined when line protocol cannot carry it (no value, NaN, ±Infinity). */
export function formatFieldValue(value: PointValue | null): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return quoteString(value);
}

export interface SeriesIdentity {
  readonly measurement: string;
  /** Tag key → value; empty values are left out (line protocol has no empty tag values). */
  readonly tags: Readonly<Record<string, string>>;
}

/** `measurement,tag=v,...` with tags sorted by key; computed once per device. */
export function seriesKey(series: SeriesIdentity): string {
  let key = escapeMeasurement(series.measurement);
  for (const name of Object.keys(series.tags).sort()) {
    const value = series.tags[name];
    if (value === undefined || value === '') continue;
    key += `,${escapeKey(name)}=${escapeKey(value)}`;
  }
  return key;
}

export interface EncodeResult {
  readonly lines: string[];
  /** Samples that became fields. */
  readonly points: number;
  /** Samples left out: unknown device, bad quality, no value (null), or a value line protocol cannot carry. */
  readonly skipped: number;
}

const fieldKeyCache = new Map<string, string>();
function fieldKey(point: string): string {
  let key = fieldKeyCache.get(point);
  if (key === undefined) {
    key = escapeKey(point);
    if (fieldKeyCache.size < 100_000) fieldKeyCache.set(point, key);
  }
  return key;
}

/**
 * Encode samples as lines, with nanosecond timestamps. `seriesOf(device)` gives the pre-escaped
 * series key (see `seriesKey`) or undefined for a device that is not configured. Samples of quality
 * `bad` are left out: their value is not a measurement. Samples without a value (null: not yet read,
 * comms lost) are left out too: InfluxDB has no null field value, and writing 0 or false would
 * invent one.
 *
 * Points of one device at the same millisecond share a line. A second reading of the same point in
 * the same millisecond is not dropped (InfluxDB would overwrite it): it goes on a line of its own one
 * nanosecond later (`ts × 10⁶ + k`), the same tie-breaker as the SQLite store's `seq`. With `ties`
 * (one per writer) the count carries over from one batch to the next, so a millisecond split across
 * two batches does not start again at k = 0 and overwrite the first batch's reading.
 */
export function encodeSamples(samples: readonly Sample[], seriesOf: (device: string) => string | undefined, ties?: SameMillisecondTies): EncodeResult {
  // a line per (device, millisecond, k), in the order first seen; found by device, then millisecond
  // (no key string built per sample)
  const byDevice = new Map<string, Map<number, LineGroup[]>>();
  const groups: LineGroup[] = [];
  let points = 0;
  let skipped = 0;
  for (const s of samples) {
    const series = s.quality === 'bad' ? undefined : seriesOf(s.device);
    const value = series === undefined ? undefined : formatFieldValue(s.value);
    if (series === undefined || value === undefined) {
      skipped++;
      continue;
    }
    const ts = Math.round(s.ts);
    let k = ties?.next(s.device, s.point, ts) ?? 0;
    let byMs = byDevice.get(s.device);
    if (byMs === undefined) byDevice.set(s.device, (byMs = new Map()));
    let atMs = byMs.get(ts);
    if (atMs === undefined) byMs.set(ts, (atMs = []));
    let group = groupWithK(atMs, k);
    while (group?.fields.has(s.point)) group = groupWithK(atMs, ++k);
    if (!group) {
      group = { series, ts, k, fields: new Map() };
      atMs.push(group);
      groups.push(group);
    }
    points++;
    group.fields.set(s.point, value);
  }
  const lines: string[] = [];
  for (const g of groups) {
    let fields = '';
    for (const [point, value] of g.fields) fields += `${fields === '' ? '' : ','}${fieldKey(point)}=${value}`;
    lines.push(`${g.series} ${fields} ${nanoseconds(g.ts, g.k)}`);
  }
  return { lines, points, skipped };
}

interface LineGroup {
  readonly series: string;
  readonly ts: number;
  readonly k: number;
  readonly fields: Map<string, string>;
}

/** The group of these (one device, one millisecond) with tie-breaker `k`. */
function groupWithK(groups: readonly LineGroup[], k: number): LineGroup | undefined {
  for (const g of groups) if (g.k === k) return g;
  return undefined;
}

/**
 * Per point of each device, the latest millisecond written and how many readings of it that
 * millisecond already holds, across batches: `next` gives the nanosecond offset k for the next
 * reading. Kept per point, not per device: the sample bus hands a consumer its priority lane first,
 * so a life-safety point's newer reading can be encoded before a second reading of another point
 * of the same device in an older millisecond; with one latest millisecond per device that reading
 * counted as out of order, started again at k = 0 and overwrote, in InfluxDB, the first reading of
 * that millisecond written by the batch before. A reading older than its point's latest millisecond
 * (the source's own timestamps out of order) starts at 0 and is told apart within its batch only.
 */
export class SameMillisecondTies {
  private readonly latest = new Map<string, Map<string, { ts: number; count: number }>>();

  next(device: string, point: string, ts: number): number {
    let points = this.latest.get(device);
    if (points === undefined) this.latest.set(device, (points = new Map()));
    const entry = points.get(point);
    if (entry === undefined) {
      points.set(point, { ts, count: 1 });
      return 0;
    }
    if (ts > entry.ts) {
      entry.ts = ts;
      entry.count = 1;
      return 0;
    }
    if (ts < entry.ts) return 0;
    return entry.count++;
  }
}

/**
 * `ms × 10⁶ + k` as text (beyond 2^53, so not as a number): the nanosecond timestamp of a line.
 * The quick form (the millisecond, then k in six digits) holds for 0 ≤ k < 10⁶ only; a source clock
 * stuck on one millisecond reaches a millionth reading of a point (11.6 days at one a second), and
 * from there on k carries into the next millisecond's nanoseconds (ms + 1 at k − 10⁶), instead of
 * a seven-digit k making the time ten times larger (outside InfluxDB's range, every line refused,
 * or before 1999-03 a time in the 2200s written silently).
 */
export function nanoseconds(ms: number, k: number): string {
  // the quick form also for a time that is not a whole number (NaN): the server refuses it as unparsable
  const quick = (ms > 0 && k < 1_000_000) || !Number.isSafeInteger(ms) || !Number.isSafeInteger(k);
  return quick ? `${ms}${String(k).padStart(6, '0')}` : `${BigInt(ms) * 1_000_000n + BigInt(k)}`;
}

/** How many fields (points) a line carries; for the points-written counter. */
export function countFields(line: string): number {
  // This runs for every line the server accepted. A line with no backslash and no quote (a line of
  // ours with numeric and boolean fields) is counted with the engine's own searches, four times
  // faster than walking its characters; any other line is walked.
  if (line.indexOf('\\') >= 0 || line.indexOf('"') >= 0) return countFieldsByWalk(line);
  const start = line.indexOf(' ');
  if (start < 0) return 1;
  const end = line.indexOf(' ', start + 1);
  const stop = end < 0 ? line.length : end;
  let fields = 1;
  for (let i = line.indexOf(',', start + 1); i >= 0 && i < stop; i = line.indexOf(',', i + 1)) fields++;
  return fields;
}

function countFieldsByWalk(line: string): number {
  // char codes, not one-character strings
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === SPACE) break;
  }
  let fields = 1;
  let quoted = false;
  for (i++; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === COMMA) fields++;
    else if (c === SPACE) break;
  }
  return fields;
}

const BACKSLASH = 0x5c;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
