/**
 * What the HTTP API needs from the running gateway: a narrow, read-mostly view, so the API can be
 * built in tests over any implementation and never reaches into connectors or storage classes.
 */
import type { ReloadActor, ReloadResult } from '../reload/config-reload.ts';
import type { LogLevelControl } from '../log/log-level.ts';
import type { Accounts } from '../auth/accounts.ts';
import type { Role } from '../auth/account-schema.ts';
import type { ValueMask } from '../privacy/badge-privacy.ts';
import type { ApiSettings } from './api-schema.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { KindDescriptor, PointDef } from '../model/kinds/index.ts';
import type { Sample } from '../model/sample.ts';
import type { EventHub } from '../live/event-hub.ts';
import type { DemoFaults } from '../demo/demo-faults.ts';
import type { BuildingView } from '../config/floor-plans.ts';
import type { Contact } from '../config/site-schema.ts';
import type { DeviceState, ZoneState } from '../live/live-view.ts';
import type { HistoryQuery } from '../storage/sample-store.ts';
import type { AlarmsFacade, UptimeFacade, WorkOrdersFacade } from '../../rules/index.ts';
import type { HandoverFacade } from '../../rules/index.ts';
import type { CommandsFacade } from '../commands/command-service.ts';

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
  /** Devices whose connector reports them comms-lost (any makes the status `degraded`). */
  readonly devices: { readonly total: number; readonly commsLost: readonly string[] };
  readonly storage: Record<string, unknown>;
  readonly queues: ReadonlyArray<Record<string, unknown>>;
  readonly broker: Record<string, unknown> | null;
  readonly trouble: ReadonlyArray<Record<string, unknown>>;
}

export interface ApiDeps {
  readonly accounts: Accounts;
  readonly secureCookies: boolean;
  /** The site file's `api` section (absent: its defaults). */
  readonly api?: ApiSettings;
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string; readonly contact?: Contact | undefined };
  /** Buildings and floors; a floor with a plan carries its file (never sent), viewBox and the positions on it. */
  buildings(): readonly BuildingView[];
  /** Live events for push subscribers (alarms, work orders, trouble). */
  readonly events: EventHub;
  /** Be told of every batch of samples the live view applies. */
  onSamples(listener: (batch: readonly Sample[]) => void): () => void;
  devices(): readonly DeviceInfo[];
  pointsOf(device: DeviceInfo): readonly PointDef[];
  /** The device-kind descriptors (points, labels, conditions), served to the dashboard by GET /api/site. */
  kinds(): readonly KindDescriptor[];
  deviceState(id: string): DeviceState | undefined;
  /** Each detection zone of a device with its place and condition (empty for devices without zones). */
  zoneStates?(id: string): readonly ZoneState[];
  history(query: HistoryQuery): Promise<Sample[]>;
  health(): HealthReport;
  now(): number;
  /** The running log level (PUT /api/admin/log-level); absent: the admin routes are not registered. */
  readonly logLevel?: LogLevelControl;
  /** Reload the site file (SIGHUP, POST /api/admin/reload); absent when not started from a file. */
  readonly reload?: (by: ReloadActor) => Promise<ReloadResult>;
  /** Warm standby: false while this gateway is the standby (changes are refused with 503). */
  readonly acting?: () => boolean;
  /** Prometheus exposition for GET /metrics (absent: an empty page). */
  metrics?(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** Alarms (rules/): absent when the gateway runs without the rule engine. */
  readonly alarms?: AlarmsFacade;
  /** Work orders (rules/work-orders), when enabled in the config. */
  readonly workOrders?: WorkOrdersFacade;
  /** Equipment uptime reports (absent: the /api/uptime routes are not registered). */
  readonly uptime?: UptimeFacade;
  /** Shift handover reports (absent: the /api/handovers routes are not registered). */
  readonly handovers?: HandoverFacade;
  /** How values are shown to a role (badge ids pseudonymised for roles without `residents-data`); undefined: as stored. */
  valueMask?(role: Role | undefined): ValueMask | undefined;
  /** Commands to devices (absent: the command routes are not registered). */
  readonly commands?: CommandsFacade;
  /** Demo mode: the fault switch of the simulators (absent: the /api/demo routes are not registered). */
  readonly demoFaults?: DemoFaults;
}
