/**
 * One row of telemetry.db's sample tables as values: how a sample's value, quality and reason are
 * encoded in a row (value, vtype, quality, reason) and read back.
 */
import type { PointValue, Quality, Sample } from '../model/sample.ts';

export const QUALITY: readonly Quality[] = ['good', 'uncertain', 'bad'];

/** How a value is typed in the `vtype` column. */
export const VType = { Number: 0, Boolean: 1, Text: 2, Null: 3 } as const;
export type VType = (typeof VType)[keyof typeof VType];

/** Row encoding of a value: SQL NULL for "no value" (a NaN number is no value either). */
export function encodeValue(value: PointValue | null): [number | string | null, VType] {
  if (value === null) return [null, VType.Null];
  if (typeof value === 'boolean') return [value ? 1 : 0, VType.Boolean];
  if (typeof value === 'number') return Number.isFinite(value) ? [value, VType.Number] : [null, VType.Null];
  return [value, VType.Text];
}

export function decodeValue(raw: unknown, vtype: number): PointValue | null {
  if (raw === null || vtype === VType.Null) return null;
  if (vtype === VType.Boolean) return raw === 1;
  if (vtype === VType.Number) return Number(raw);
  return String(raw);
}

/** A row of `samples` as read back (see toSample). */
export interface Row {
  device: string;
  point: string;
  ts: number;
  value: number | string | null;
  vtype: number;
  quality: number;
  reason: string | null;
}

export function toSample(r: Row): Sample {
  const sample: Sample = {
    device: r.device,
    point: r.point,
    ts: Number(r.ts),
    value: decodeValue(r.value, r.vtype),
    quality: QUALITY[r.quality] ?? 'bad',
  };
  return r.reason === null ? sample : { ...sample, reason: r.reason };
}
