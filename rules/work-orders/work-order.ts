/** A work order as the rest of the gateway sees it, and its lifecycle. */
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { Location } from '../../gateway/model/device.ts';
import type { Priority } from './alarm-input.ts';

export const WORK_ORDER_STATUSES = ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved', 'closed', 'cancelled'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export const WORK_ORDER_SOURCES = ['alarm', 'manual', 'maintenance'] as const;
export type WorkOrderSource = (typeof WORK_ORDER_SOURCES)[number];

/** Statuses in which an order still counts as open (for de-duplication and the backlog). */
export const ACTIVE_STATUSES: readonly WorkOrderStatus[] = ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'];
/** Statuses in which the contractor has not yet responded. */
export const UNACKNOWLEDGED: readonly WorkOrderStatus[] = ['open', 'dispatched'];

export interface WorkOrder {
  readonly id: number;
  readonly source: WorkOrderSource;
  readonly device: string | null;
  readonly kind: DeviceKind | null;
  readonly location: Location | null;
  /** The fault of the de-duplication key: the alarm rule id, `pm:<schedule>`, or null (manual). */
  readonly fault: string | null;
  readonly trade: string;
  readonly priority: Priority;
  readonly title: string;
  readonly contractor: string | null;
  readonly status: WorkOrderStatus;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly respondBy: number;
  readonly fixBy: number;
  readonly dispatchedAt: number | null;
  readonly acknowledgedAt: number | null;
  readonly startedAt: number | null;
  readonly resolvedAt: number | null;
  readonly closedAt: number | null;
  readonly cancelledAt: number | null;
  readonly respondBreachedAt: number | null;
  readonly fixBreachedAt: number | null;
  readonly occurrences: number;
  readonly lastOccurrenceAt: number;
  readonly alarmIds: readonly string[];
  readonly alarmActive: boolean;
  readonly alarmClearedAt: number | null;
}

export interface JournalEntry {
  readonly seq: number;
  readonly orderId: number;
  readonly at: number;
  /** `system`, `operator:<name>`, `contractor:<id>`, `alarm:<alarmId>`, `schedule:<id>`. */
  readonly actor: string;
  readonly action: string;
  readonly from: WorkOrderStatus | null;
  readonly to: WorkOrderStatus | null;
  readonly note: string | null;
  readonly data: Record<string, unknown> | null;
}

export type Actor =
  | { readonly type: 'operator'; readonly id: string }
  | { readonly type: 'contractor'; readonly id: string }
  | { readonly type: 'system'; readonly id: string };

export function actorName(actor: Actor): string {
  return actor.type === 'system' ? actor.id : `${actor.type}:${actor.id}`;
}

/** The actions that move an order, who may take them, and from where. */
export const TRANSITIONS = {
  dispatch: { by: 'system', from: ['open'], to: 'dispatched' },
  acknowledge: { by: 'contractor', from: ['open', 'dispatched'], to: 'acknowledged' },
  start: { by: 'contractor', from: ['open', 'dispatched', 'acknowledged'], to: 'in_progress' },
  resolve: { by: 'contractor', from: ['acknowledged', 'in_progress'], to: 'resolved' },
  close: { by: 'operator', from: ['resolved'], to: 'closed' },
  cancel: { by: 'operator', from: ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'], to: 'cancelled' },
  reopen: { by: 'operator', from: ['resolved', 'closed', 'cancelled'], to: 'open' },
  reassign: { by: 'operator', from: ['open', 'dispatched', 'acknowledged', 'in_progress'], to: 'open' },
} as const satisfies Record<string, { by: Actor['type']; from: readonly WorkOrderStatus[]; to: WorkOrderStatus }>;

export type TransitionName = keyof typeof TRANSITIONS;

export function canTransition(name: TransitionName, from: WorkOrderStatus): boolean {
  return (TRANSITIONS[name].from as readonly WorkOrderStatus[]).includes(from);
}

/**
 * Codes of the API's error catalogue (gateway/api/error-catalogue.ts), so the API passes them through;
 * `ALARM_STILL_ACTIVE`: verify-and-close refused while an alarm of the order is still active.
 */
export type WorkOrderErrorCode = 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'BAD_REQUEST' | 'ALARM_STILL_ACTIVE';

/** A refused request: `field` names the offending input when there is one. */
export class WorkOrderError extends Error {
  readonly code: WorkOrderErrorCode;
  readonly field: string | undefined;

  constructor(code: WorkOrderErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'WorkOrderError';
    this.code = code;
    this.field = field;
  }
}
