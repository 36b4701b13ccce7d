/**
 * The edge node's contract: node metric names (what the operations centre reads), what it reads of
 * the alarm and work-order services, its options and status, and the JSON summaries it sends.
 */
import type { IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../model/clock.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { PointDef } from '../model/kinds/kind-descriptor.ts';
import type { Sample } from '../model/sample.ts';
import type { AlarmRecord, HistoryRow, JournalSearch } from '../../rules/alarms/index.ts';
import type { WorkOrder } from '../../rules/work-orders/index.ts';
import type { SparkplugConfig } from './sparkplug-schema.ts';

/** Node metric names (also what the operations centre reads). */
export const NODE_METRIC = {
  bdSeq: 'bdSeq',
  rebirth: 'Node Control/Rebirth',
  alarmTransition: 'Alarm/Transition',
  alarmsOpen: 'Alarms/Open',
  alarmAcknowledge: 'Alarm/Acknowledge',
  /** NBIRTH: the seq of the newest row of the site's alarm journal (null: the journal is empty). */
  journalSeq: 'Alarm/Journal Seq',
  /** NCMD from the centre: send the journal rows from this seq again (same ids). */
  journalReplay: 'Alarm/Journal Replay',
  /** With `Alarm/Journal Replay` in one NCMD: the last seq to send again (absent: up to the newest exported). */
  journalReplayTo: 'Alarm/Journal Replay To',
  workOrderEvent: 'Work Order/Event',
  workOrdersOpen: 'Work Orders/Open',
  /** The site's equipment availability this month, % (null: not known yet), from the uptime ledger. */
  availability: 'Availability/Month %',
} as const;

/** The site's availability as the uptime ledger computes it. */
export interface SiteAvailability {
  readonly pct: number | null;
  readonly targetPct: number;
}

/** What the node reads of the alarm service. */
export interface EdgeAlarms {
  active(): AlarmRecord[];
  iterateJournal(q: JournalSearch): Iterable<HistoryRow>;
  searchJournal(q: JournalSearch, offset: number, limit: number): { rows: HistoryRow[]; total: number };
  get(id: string): AlarmRecord | undefined;
  acknowledge(id: string, by: string, text?: string): AlarmRecord;
  onEvent(listener: () => void): () => void;
}

/** What the node reads of the work-order service. */
export interface EdgeWorkOrders {
  list(filter: { status?: readonly WorkOrder['status'][] }): WorkOrder[];
  order(id: number): WorkOrder | undefined;
  onChange(listener: (id: number) => void): () => void;
}

export interface EdgeDevice {
  readonly info: DeviceInfo;
  readonly points: readonly PointDef[];
}

export interface EdgeNodeOptions {
  readonly config: SparkplugConfig;
  readonly siteId: string;
  /** Broker URLs, tried in turn, one per session (the embedded broker's internal URL for `embedded`). */
  readonly urls: readonly string[];
  /** Extra connect options (credentials of the embedded broker, TLS). */
  readonly connectOptions?: Partial<IClientOptions>;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly devices: readonly EdgeDevice[];
  /** The latest value of each point of a device (birth certificates). */
  readonly latest: (device: string) => Readonly<Record<string, Omit<Sample, 'device' | 'point'>>>;
  readonly alarms?: EdgeAlarms;
  readonly workOrders?: EdgeWorkOrders;
  /** Month-to-date availability, sent in NBIRTH and every `availabilityEvery` (absent: not sent). */
  readonly availability?: () => SiteAvailability;
  readonly availabilityEvery?: number;
  readonly random?: () => number;
}

export interface EdgeNodeStatus {
  readonly connected: boolean;
  readonly born: boolean;
  /** null: no primary host configured; else its last STATE. */
  readonly hostOnline: boolean | null;
  readonly bdSeq: number;
  readonly outbox: { urgent: number; telemetry: number };
  readonly published: number;
}

export function alarmSummary(a: AlarmRecord): Record<string, unknown> {
  return {
    id: a.id,
    rule: a.rule,
    device: a.device,
    kind: a.kind,
    building: a.building,
    floor: a.floor,
    title: a.title,
    priority: a.priority,
    lifeSafety: a.lifeSafety ?? false,
    state: a.state,
    conditionActive: a.conditionActive,
    raisedAt: a.raisedAt,
    ackedAt: a.ackedAt,
    ackedBy: a.ackedBy,
  };
}

export function orderSummary(w: WorkOrder, now: number): Record<string, unknown> {
  return {
    orderId: w.id,
    status: w.status,
    priority: w.priority,
    title: w.title,
    device: w.device,
    trade: w.trade,
    contractor: w.contractor,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    respondBy: w.respondBy,
    fixBy: w.fixBy,
    overdue: w.closedAt === null && w.cancelledAt === null && w.resolvedAt === null && now > w.fixBy,
    closedAt: w.closedAt,
    alarmIds: w.alarmIds,
  };
}
