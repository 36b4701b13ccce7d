/**
 * One decoded Sparkplug metric as the sample of the point bound to it; pure. A null metric, a
 * `Quality` property saying bad, or a value the point cannot take is `null` with quality `bad` and
 * a reason (never a guess); `Quality` 500 (stale) keeps the value as `uncertain`.
 */
import type { PointDef } from '../../model/device-kinds.ts';
import type { PointValue, Quality, Sample } from '../../model/sample.ts';
import { qualityOfCode } from '../../sparkplug/sparkplug-metrics.ts';
import { toNumber, type DecodedMetric } from '../../sparkplug/sparkplug-codec.ts';
import type { SparkplugMetricBinding } from './sparkplug-host-schema.ts';

type Converted = { readonly ok: true; readonly value: PointValue } | { readonly ok: false; readonly reason: string };

/** A raw metric value (Long for 64-bit integers) as the point's value. */
export function convertMetricValue(raw: unknown, binding: SparkplugMetricBinding, def: PointDef): Converted {
  const value = typeof raw === 'object' && raw !== null ? (toNumber(raw) ?? raw) : raw;
  if ('map' in binding && binding.map !== undefined) {
    const key = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    const mapped = binding.map[key];
    if (mapped === undefined) return { ok: false, reason: `raw value ${key} of ${binding.name} is not in the map` };
    if (def.type === 'enum' && (typeof mapped !== 'string' || !def.values?.includes(mapped))) return { ok: false, reason: `mapped value ${String(mapped)} is not one of ${def.values?.join(', ')}` };
    return { ok: true, value: mapped };
  }
  switch (def.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: `${binding.name}: ${String(value)} is not a finite number` };
      const v = value * binding.scale + binding.offset;
      return { ok: true, value: binding.scale === 1 && binding.offset === 0 ? v : Number.parseFloat(v.toPrecision(12)) };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 0 || value === 1) return { ok: true, value: value === 1 };
      return { ok: false, reason: `${binding.name}: ${String(value)} is not a boolean` };
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : { ok: false, reason: `${binding.name}: ${String(value)} is not text` };
    case 'enum':
      return { ok: false, reason: 'an enum point needs a map from the raw values' };
  }
}

export interface MetricContext {
  readonly device: string;
  readonly point: string;
  readonly def: PointDef;
  readonly binding: SparkplugMetricBinding;
  /** The payload's own timestamp (epoch ms), used when the metric has none. */
  readonly payloadTs: number | undefined;
  readonly arrival: number;
  readonly maxClockSkew: number;
}

/** The sample of one metric, and whether its time was ahead of arrival by more than the skew (then arrival is used). */
export function metricSample(m: DecodedMetric, c: MetricContext): { sample: Sample; clampedFuture: boolean } {
  const stamped = toNumber(m.timestamp) ?? c.payloadTs ?? c.arrival;
  const clampedFuture = stamped > c.arrival + c.maxClockSkew;
  const ts = clampedFuture ? c.arrival : stamped;
  const code = toNumber(m.properties?.Quality?.value);
  const sourceQuality: Quality | undefined = code === undefined ? undefined : (qualityOfCode(code) ?? 'uncertain');
  const base = { device: c.device, point: c.point, ts };
  if (m.isNull === true || m.value === null || m.value === undefined) {
    return { sample: { ...base, value: null, quality: sourceQuality === 'uncertain' ? 'uncertain' : 'bad', reason: `${c.binding.name} is null at the edge node` }, clampedFuture };
  }
  if (sourceQuality === 'bad') return { sample: { ...base, value: null, quality: 'bad', reason: `${c.binding.name}: quality bad at the edge node` }, clampedFuture };
  const converted = convertMetricValue(m.value, c.binding, c.def);
  if (!converted.ok) return { sample: { ...base, value: null, quality: 'bad', reason: converted.reason }, clampedFuture };
  if (sourceQuality === 'uncertain') return { sample: { ...base, value: converted.value, quality: 'uncertain', reason: `${c.binding.name}: quality ${code} (stale) at the edge node` }, clampedFuture };
  return { sample: { ...base, value: converted.value, quality: 'good' }, clampedFuture };
}
