/**
 * Replay a JSON-lines recording into a SampleSink: samples with the same timestamp go as one batch;
 * `speed: 'fast'` pushes everything as fast as possible, `speed: 'real'` waits on the Clock for the
 * recorded gaps (a VirtualClock makes "real speed" deterministic in tests), `speed: N` divides gaps by N.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Clock } from '../../gateway/model/clock.ts';
import type { Quality, Sample, SampleSink } from '../../gateway/model/sample.ts';

export type ReplaySpeed = 'fast' | 'real' | number;

export interface ReplayOptions {
  readonly speed: ReplaySpeed;
  readonly clock: Clock;
  /** Shift all timestamps so the first sample is stamped `clock.now()` at replay start. */
  readonly rebase?: boolean;
}

export interface ReplayResult {
  readonly samples: number;
  readonly batches: number;
  readonly skipped: readonly string[];
}

const QUALITIES: readonly string[] = ['good', 'uncertain', 'bad'];

/** Parse one recorded line; returns an error message instead of throwing. */
export function parseSampleLine(line: string): Sample | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof raw !== 'object' || raw === null) return 'not an object';
  const r = raw as Record<string, unknown>;
  if (typeof r.device !== 'string' || typeof r.point !== 'string') return 'device and point must be strings';
  if (r.value !== null && !['number', 'boolean', 'string'].includes(typeof r.value)) return 'value must be a number, boolean, string or null';
  if (typeof r.ts !== 'number' || !Number.isFinite(r.ts)) return 'ts must be epoch milliseconds';
  const quality = typeof r.quality === 'string' && QUALITIES.includes(r.quality) ? (r.quality as Quality) : 'good';
  if (r.value === null && quality === 'good') return 'a null value cannot have quality good';
  const sample: Sample = { device: r.device, point: r.point, value: r.value as Sample['value'], ts: r.ts, quality };
  return typeof r.reason === 'string' ? { ...sample, reason: r.reason } : sample;
}

export async function replayRecording(file: string, sink: SampleSink, options: ReplayOptions): Promise<ReplayResult> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const skipped: string[] = [];
  let samples = 0;
  let batches = 0;
  let batch: Sample[] = [];
  let batchTs: number | undefined;
  let firstTs: number | undefined;
  const startNow = options.clock.now();
  const startMono = options.clock.monotonic();
  const factor = options.speed === 'fast' ? 0 : options.speed === 'real' ? 1 : 1 / options.speed;

  const flush = async (): Promise<void> => {
    if (batch.length === 0 || batchTs === undefined || firstTs === undefined) return;
    if (factor > 0) {
      const dueMono = startMono + (batchTs - firstTs) * factor;
      const wait = dueMono - options.clock.monotonic();
      if (wait > 0) await new Promise<void>((resolve) => options.clock.setTimer(wait, resolve));
    }
    const shift = options.rebase ? startNow - firstTs : 0;
    sink.push(shift === 0 ? batch : batch.map((s) => ({ ...s, ts: s.ts + shift })));
    samples += batch.length;
    batches++;
    batch = [];
  };

  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const parsed = parseSampleLine(line);
    if (typeof parsed === 'string') {
      skipped.push(`${file}:${lineNo}: ${parsed}`);
      continue;
    }
    firstTs ??= parsed.ts;
    if (batchTs !== undefined && parsed.ts !== batchTs) await flush();
    batchTs = parsed.ts;
    batch.push(parsed);
  }
  await flush();
  return { samples, batches, skipped };
}
