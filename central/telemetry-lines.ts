/**
 * Sparkplug device metrics (DBIRTH, DDATA) as InfluxDB line protocol, pure; the escaping and field
 * formatting are the gateway's (gateway/storage/line-protocol.ts).
 *
 *   telemetry,device=pump-1,group=estates,point=discharge_bar,site=s2 value=4.52,quality="good" 1763891234567000000
 *
 * - One line per metric, measurement `telemetry`, tags group, site, device, point; the metric's own
 *   timestamp (ms, written in ns as the gateway's lines are), else the payload's.
 * - The value goes to a field named for its type: `value` (numbers, always floats), `state`
 *   (booleans), `text` (strings); one measurement may then hold points of every type without a
 *   field type conflict.
 * - `quality` (`good` / `uncertain` / `bad`, from the metric's `Quality` property) and `reason` are
 *   string fields. A metric without a value (`is_null`: nobody read it, comms lost) keeps its quality
 *   and reason and has no value field: nothing is written as a number that was not read.
 */
import { toNumber, type DecodedMetric } from '../gateway/sparkplug/sparkplug-codec.ts';
import { qualityOfCode } from '../gateway/sparkplug/sparkplug-metrics.ts';
import { formatFieldValue, nanoseconds, quoteString, seriesKey } from '../gateway/storage/line-protocol.ts';

export const TELEMETRY_MEASUREMENT = 'telemetry';

export interface DeviceMessage {
  readonly group: string;
  readonly site: string;
  readonly device: string;
  /** The payload's timestamp (ms), used for a metric without its own. */
  readonly timestamp: number;
  readonly metrics: readonly DecodedMetric[];
}

export interface EncodedMetrics {
  readonly lines: string[];
  /** Metrics not written: no name, no usable timestamp, or neither a value nor a quality. */
  readonly skipped: number;
}

function valueOf(m: DecodedMetric): number | boolean | string | null {
  if (m.isNull === true || m.value === null || m.value === undefined) return null;
  if (typeof m.value === 'number' || typeof m.value === 'boolean' || typeof m.value === 'string') return m.value;
  return toNumber(m.value) ?? null; // Int64 / UInt64 arrive as Long
}

function valueField(v: number | boolean | string): string {
  return typeof v === 'number' ? 'value' : typeof v === 'boolean' ? 'state' : 'text';
}

export function metricLines(msg: DeviceMessage): EncodedMetrics {
  const lines: string[] = [];
  let skipped = 0;
  for (const m of msg.metrics) {
    const ts = toNumber(m.timestamp) ?? msg.timestamp;
    if (!m.name || !Number.isFinite(ts)) {
      skipped++;
      continue;
    }
    const fields: string[] = [];
    const value = valueOf(m);
    const formatted = value === null ? undefined : formatFieldValue(value);
    if (value !== null && formatted !== undefined) fields.push(`${valueField(value)}=${formatted}`);
    const quality = qualityOfCode(toNumber(m.properties?.Quality?.value));
    if (quality !== undefined) fields.push(`quality=${quoteString(quality)}`);
    const reason = m.properties?.reason?.value;
    if (typeof reason === 'string' && reason !== '') fields.push(`reason=${quoteString(reason)}`);
    if (formatted === undefined && quality === undefined) {
      skipped++; // no value and no quality: there is nothing to keep
      continue;
    }
    const series = seriesKey({ measurement: TELEMETRY_MEASUREMENT, tags: { group: msg.group, site: msg.site, device: msg.device, point: m.name } });
    lines.push(`${series} ${fields.join(',')} ${nanoseconds(Math.trunc(ts), 0)}`);
  }
  return { lines, skipped };
}
