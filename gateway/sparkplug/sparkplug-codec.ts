/**
 * Sparkplug B payload encoding through the `sparkplug-payload` package (Eclipse Tahu's protobuf
 * definition), typed for our use. Int64 values come back from the decoder as `Long`; `toNumber`
 * turns them into numbers.
 */
import sparkplugPayload from 'sparkplug-payload';
import type { EncodableMetric } from './sparkplug-metrics.ts';

export interface EncodablePayload {
  timestamp: number;
  seq?: number;
  /** The outbox message id (the same on a re-send): the centre deduplicates on it. */
  uuid?: string;
  metrics: EncodableMetric[];
}

export interface DecodedMetric {
  readonly name?: string;
  /** Set in births beside the name; data messages may carry the alias alone (a Long). */
  readonly alias?: unknown;
  readonly type?: string;
  readonly value?: unknown;
  readonly timestamp?: unknown;
  readonly isNull?: boolean;
  readonly isHistorical?: boolean;
  readonly properties?: Record<string, { type?: string; value?: unknown }>;
}

export interface DecodedPayload {
  readonly timestamp?: unknown;
  readonly seq?: unknown;
  readonly metrics?: readonly DecodedMetric[];
}

interface SparkplugCodec {
  encodePayload(payload: object): Uint8Array;
  decodePayload(bytes: Uint8Array): object;
}

const codec = (sparkplugPayload as unknown as { get(ns: string): SparkplugCodec }).get('spBv1.0');

export function encodePayload(p: EncodablePayload): Buffer {
  return Buffer.from(codec.encodePayload(p));
}

export function decodePayload(bytes: Uint8Array): DecodedPayload {
  return codec.decodePayload(bytes) as DecodedPayload;
}

/** A protobuf Long (or a number) as a number. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return undefined;
}
