/**
 * Canonical points and gateway facts as Sparkplug B metrics. A metric is kept as plain JSON (the
 * outbox stores it) and turned into the `sparkplug-payload` object form when published.
 *
 * - Point types: number → Double, boolean → Boolean, enum/string → String.
 * - Quality: the property `Quality` (Int32) as Eclipse Tahu writes it: 192 good, 500 stale
 *   (uncertain), 0 bad; a value nobody read is `is_null` with its quality and a `reason` property.
 * - Units: the property `engUnit` (String), on birth metrics.
 */
import type { PointDef } from '../model/kinds/kind-descriptor.ts';
import type { PointValue, Quality, Sample } from '../model/sample.ts';

export type SpDataType = 'Int32' | 'Int64' | 'UInt64' | 'Double' | 'Boolean' | 'String';

export interface SpMetric {
  readonly name: string;
  readonly type: SpDataType;
  readonly value: number | boolean | string | null;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly quality?: Quality;
  readonly reason?: string;
  readonly unit?: string;
  /** Sent again after an outage (Sparkplug `is_historical`). */
  readonly historical?: boolean;
}

export const QUALITY_CODE: Record<Quality, number> = { good: 192, uncertain: 500, bad: 0 };

export function qualityOfCode(code: number | undefined): Quality | undefined {
  if (code === 192) return 'good';
  if (code === 500) return 'uncertain';
  if (code === 0) return 'bad';
  return undefined;
}

export function dataTypeOf(p: Pick<PointDef, 'type'>): SpDataType {
  return p.type === 'number' ? 'Double' : p.type === 'boolean' ? 'Boolean' : 'String';
}

/** A value as the metric's type carries it (a string number read for a Double point is kept as read: null if not a number). */
function coerce(type: SpDataType, v: PointValue | null): number | boolean | string | null {
  if (v === null) return null;
  if (type === 'Double') return typeof v === 'number' ? v : null;
  if (type === 'Boolean') return typeof v === 'boolean' ? v : null;
  return String(v);
}

export function sampleMetric(p: Pick<PointDef, 'name' | 'type' | 'unit'>, s: Sample | undefined, now: number, withUnit: boolean): SpMetric {
  const type = dataTypeOf(p);
  const value = s ? coerce(type, s.value) : null;
  const quality: Quality = s ? (value === null && s.quality === 'good' ? 'uncertain' : s.quality) : 'uncertain';
  const reason = s?.reason ?? (s === undefined ? 'not yet read' : value === null && s.value !== null ? `not a ${p.type}` : undefined);
  return {
    name: p.name,
    type,
    value,
    timestamp: s?.ts ?? now,
    quality,
    ...(reason !== undefined ? { reason } : {}),
    ...(withUnit && p.unit !== undefined ? { unit: p.unit } : {}),
  };
}

/** The object form `sparkplug-payload`'s encoder takes. */
export interface EncodableMetric {
  name: string;
  type: SpDataType;
  value: number | boolean | string | null;
  timestamp: number;
  isNull?: boolean;
  isHistorical?: boolean;
  properties?: Record<string, { type: 'Int32' | 'String'; value: number | string }>;
}

export function encodableMetric(m: SpMetric): EncodableMetric {
  const properties: NonNullable<EncodableMetric['properties']> = {};
  if (m.quality !== undefined) properties.Quality = { type: 'Int32', value: QUALITY_CODE[m.quality] };
  if (m.reason !== undefined) properties.reason = { type: 'String', value: m.reason };
  if (m.unit !== undefined) properties.engUnit = { type: 'String', value: m.unit };
  return {
    name: m.name,
    type: m.type,
    value: m.value,
    timestamp: m.timestamp,
    ...(m.value === null ? { isNull: true } : {}),
    ...(m.historical ? { isHistorical: true } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}
