/**
 * What the HTTP API needs from the running gateway: a narrow, read-mostly view, so the API can be
 * built in tests over any implementation and never reaches into connectors or storage classes.
 */
import type { DeviceInfo } from '../model/device.ts';
import type { PointDef } from '../model/device-kinds.ts';
import type { Sample } from '../model/sample.ts';
import type { DeviceState } from '../live/live-view.ts';
import type { HistoryQuery } from '../storage/sample-store.ts';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly uptimeS: number;
  readonly process: { readonly rssBytes: number; readonly heapUsedBytes: number; readonly node: string };
  readonly connectors: ReadonlyArray<Record<string, unknown>>;
  readonly storage: Record<string, unknown>;
  readonly queues: ReadonlyArray<Record<string, unknown>>;
  readonly broker: Record<string, unknown> | null;
  readonly trouble: ReadonlyArray<Record<string, unknown>>;
}

export interface ApiDeps {
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  devices(): readonly DeviceInfo[];
  pointsOf(device: DeviceInfo): readonly PointDef[];
  deviceState(id: string): DeviceState | undefined;
  history(query: HistoryQuery): Promise<Sample[]>;
  health(): HealthReport;
  now(): number;
  /** Prometheus exposition for GET /metrics (absent: an empty page). */
  metrics?(): Promise<{ readonly contentType: string; readonly body: string }>;
}
