/**
 * One data-change notification → one sample, never inventing: a Bad status or a value that does
 * not fit its point gives `null` / bad with the reason (the status name or the misfit); Uncertain
 * keeps its value with the status name as the reason; a source time further ahead than the allowed
 * clock skew is replaced by the arrival time. Pure (no node-opcua types needed).
 */
import type { Sample } from '../../model/sample.ts';
import type { MonitoredPoint } from './opcua-bindings.ts';
import { convertValue, qualityOf } from './opcua-value.ts';

/** The parts of a node-opcua DataValue used here. */
export interface DataValueLike {
  readonly statusCode: { readonly value: number; readonly name: string };
  readonly value?: { readonly value: unknown } | null;
  readonly sourceTimestamp?: Date | null;
  readonly serverTimestamp?: Date | null;
}

export interface ReadSample {
  readonly sample: Sample;
  /** The raw value did not fit the point (shown as its reason). */
  readonly misfit: boolean;
  /** The source time was too far ahead and replaced by `now`. */
  readonly future: boolean;
}

export function sampleOf(p: MonitoredPoint, dv: DataValueLike, now: number, maxClockSkew: number): ReadSample {
  let quality = qualityOf(dv.statusCode.value);
  const raw: unknown = dv.value?.value;
  const present = raw !== null && raw !== undefined;
  const converted = present ? convertValue(raw, p) : undefined;
  let reason: string | undefined = quality === 'good' ? undefined : dv.statusCode.name;
  const misfit = present && converted === undefined;
  if (misfit) {
    quality = 'bad';
    reason = `value ${String(raw).slice(0, 40)} does not fit ${p.point.type} point ${p.point.name}`;
  } else if (converted === undefined && quality === 'good') {
    quality = 'bad';
    reason = 'no value';
  }
  // A Bad status carries no usable value; a misfit has none either.
  const value = quality === 'bad' ? null : (converted ?? null);
  if (value === null && quality === 'uncertain') quality = 'bad';
  const source = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? now;
  let ts = Number.isFinite(source) && source > 0 ? source : now;
  const future = ts > now + maxClockSkew;
  if (future) ts = now;
  const base = { device: p.device, point: p.point.name, value, ts, quality };
  return { sample: reason === undefined ? base : { ...base, reason }, misfit, future };
}
