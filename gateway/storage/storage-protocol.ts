/** Messages between the main thread and the storage worker (structured clone; a write's samples as columns). */
import type { SampleColumns } from './sample-columns.ts';
import type { TroubleCondition } from '../trouble/trouble-board.ts';
import type { InfluxTelemetryStatus } from './influx-telemetry.ts';
import type { HistoryQuery } from './sample-store.ts';
import type { StorageSpec } from './storage-core.ts';
import type { WriteResult } from './write-result.ts';

export type StorageRequest =
  | { readonly id: number; readonly op: 'write'; readonly samples: SampleColumns }
  | { readonly id: number; readonly op: 'history'; readonly query: HistoryQuery }
  | { readonly id: number; readonly op: 'latest' }
  | { readonly id: number; readonly op: 'prune'; readonly cutoff: number }
  | { readonly id: number; readonly op: 'count' }
  | { readonly id: number; readonly op: 'close' };

export type StorageEvent =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly kind: 'ready'; readonly influx: InfluxTelemetryStatus | null }
  | { readonly kind: 'influx-status'; readonly status: InfluxTelemetryStatus }
  | { readonly kind: 'influx-write'; readonly seconds: number; readonly result: WriteResult['kind'] }
  | { readonly kind: 'trouble'; readonly event: 'raised' | 'cleared'; readonly condition: TroubleCondition }
  | { readonly kind: 'commit'; readonly samples: number; readonly ms: number };

export interface StorageWorkerData {
  readonly spec: StorageSpec;
  readonly logLevel: string;
}
