/**
 * What the HTTP API needs from the running gateway: a narrow, read-mostly view, so the API can be
 * built in tests over any implementation and never reaches into connectors or storage classes.
 */
import type { Accounts } from '../auth/accounts.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { PointDef } from '../model/device-kinds.ts';
import type { Sample } from '../model/sample.ts';
import type { EventHub } from '../live/event-hub.ts';
import type { DeviceState } from '../live/live-view.ts';
import type { HistoryQuery } from '../storage/sample-store.ts';
import type { AlarmsFacade } from '../../rules/alarm-service.ts';
import type { WorkOrdersFacade } from '../../rules/work-orders/index.ts';
import type { UptimeFacade } from '../../rules/uptime/index.ts';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly uptimeS: number;
  readonly process: {
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    readonly node: string;
    /** Main-thread event-loop delay over the last window. */
    readonly eventLoopLagMs?: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  };
  readonly connectors: ReadonlyArray<Record<string, unknown>>;
  readonly storage: Record<string, unknown>;
  readonly queues: ReadonlyArray<Record<string, unknown>>;
  readonly broker: Record<string, unknown> | null;
  readonly trouble: ReadonlyArray<Record<string, unknown>>;
}

export interface ApiDeps {
  readonly accounts: Accounts;
  readonly secureCookies: boolean;
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  buildings(): Array<{ id: string; name: string; floors: Array<{ id: string; name: string }> }>;
  /** Live events for push subscribers (alarms, work orders, trouble). */
  readonly events: EventHub;
  /** Be told of every batch of samples the live view applies. */
  onSamples(listener: (batch: readonly Sample[]) => void): () => void;
  devices(): readonly DeviceInfo[];
  pointsOf(device: DeviceInfo): readonly PointDef[];
  deviceState(id: string): DeviceState | undefined;
  history(query: HistoryQuery): Promise<Sample[]>;
  health(): HealthReport;
  now(): number;
  /** Prometheus exposition for GET /metrics (absent: an empty page). */
  metrics?(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** Alarms (rules/): absent when the gateway runs without the rule engine. */
  readonly alarms?: AlarmsFacade;
  /** Work orders (rules/work-orders), when enabled in the config. */
  readonly workOrders?: WorkOrdersFacade;
  /** Equipment uptime reports (absent: the /api/uptime routes are not registered). */
  readonly uptime?: UptimeFacade;
}
