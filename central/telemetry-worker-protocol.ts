/** Messages between the centre's main thread and its telemetry worker (telemetry-worker.ts). */
import type { InfluxConfig } from '../gateway/storage/influx-schema.ts';
import type { TelemetrySpoolStatus } from './telemetry-spool.ts';

export interface TelemetryWorkerData {
  readonly config: InfluxConfig;
  readonly dataDir: string;
  readonly logLevel: string;
}

export type ToTelemetryWorker = { readonly type: 'append'; readonly id: number; readonly lines: readonly string[] } | { readonly type: 'stop' };

export type FromTelemetryWorker =
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: string }
  | { readonly type: 'status'; readonly status: TelemetrySpoolStatus }
  | { readonly type: 'stopped' };
