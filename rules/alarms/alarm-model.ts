/**
 * The alarm contract: what the rule engine publishes and what the work-order module, the uptime
 * ledger, the dashboard and any northbound bridge consume. Types only; imports only the shared
 * model. See rules/README.md for the lifecycle diagram.
 *
 * Guarantees every consumer may rely on:
 * - An event is emitted only after the transition it describes (and its journal row) has been
 *   committed to SQLite. Nothing is announced that a `kill -9` could take back.
 * - One open instance per (rule, device): `AlarmRecord.id` stays the same from the first `raised`
 *   until the record reaches `normal` (`closedAt` set). A new occurrence after that gets a new id.
 * - Events of one alarm arrive in the order they were journaled.
 */
import { DEVICE_KINDS, type DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { PointValue } from '../../gateway/model/sample.ts';

/**
 * ISA-18.2 alarm states.
 * - `normal`: condition inactive and nothing to acknowledge; the instance is closed.
 * - `active-unack`: condition active (or latched), not yet acknowledged.
 * - `active-ack`: condition active (or latched awaiting reset), acknowledged.
 * - `rtn-unack`: condition returned to normal, not yet acknowledged.
 */
export const ALARM_STATES = ['normal', 'active-unack', 'active-ack', 'rtn-unack'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const ALARM_PRIORITIES = [1, 2, 3, 4] as const;
/** 1 is the most urgent; the meaning of each is configured (`alarms.priorities`). */
export type AlarmPriority = (typeof ALARM_PRIORITIES)[number];

export const ALARM_EVENT_TYPES = [
  'raised',
  'acknowledged',
  'cleared',
  'reset',
  'shelved',
  'unshelved',
  'suppressed',
  'comment',
  'chattering',
  'flood',
  'grouped',
  'escalated',
  'escalation-cleared',
  'assigned',
  'procedure-step',
  'source',
] as const;
/**
 * - `raised`: the condition became active: a new instance, or an open one whose condition returned
 *   (check `alarm.occurrences`). Not emitted for suppressed alarms (see `suppressed`).
 * - `acknowledged`: an operator acknowledged (`by`).
 * - `cleared`: the condition became inactive. The state is `rtn-unack`, `normal` (closed) or, for a
 *   latching alarm, unchanged until reset.
 * - `reset`: an operator reset a latching alarm whose condition is inactive: it is now `normal`.
 * - `shelved` / `unshelved`: an operator shelved it (reason, expiry) or the shelf ended (by an
 *   operator or at expiry: `by` is `system:expiry`).
 * - `suppressed`: raised while its device is in maintenance or out of service: recorded, not
 *   announced; also emitted for open alarms when their device enters maintenance.
 * - `comment`: an operator added a note.
 * - `chattering`: the condition changed 3 or more times within a minute; flagged on the alarm.
 * - `flood`: more than the configured number of alarms started in one building (or the whole site)
 *   within the window; `alarm` is the one that tipped it and `flood` says where.
 * - `grouped`: the alarm became a consequence of another (`alarm.parent`): recorded, not announced.
 *   When the parent's condition ends while this one is still active, it is `raised` on its own.
 * - `escalated`: still unacknowledged, so the next level of the on-call list was notified
 *   (`alarms.escalation`); the record is unchanged. `text` names the level and channels; the
 *   journal row's values hold `{ step, level }`.
 * - `assigned`: an operator assigned the alarm to someone (`alarm.assignee`; `by` is who assigned,
 *   `text` names the assignee and any note).
 * - `procedure-step`: an operator ticked (or unticked) a step of the rule's response procedure;
 *   the record is unchanged, the journal row's values hold `{ step, done }` (step counted from 1).
 * - `source`: about an alarm from a source condition (rule `condition:...`, OPC UA Alarms &
 *   Conditions): the operator's acknowledge passed to the source and its answer (values
 *   `{ result, detail }`), or the condition's state unknown after a loss of communication and known
 *   again after a ConditionRefresh (values `{ condition_state }`). The record is unchanged.
 * - `escalation-cleared`: the alarm that was escalated resolved; the levels told were sent a
 *   "cleared" message. The record is unchanged.
 */
export type AlarmEventType = (typeof ALARM_EVENT_TYPES)[number];

/**
 * What an alarm is about: a device of one of the kinds, or `connection` for a connector whose link
 * is lost (the alarm's `device` is then the connector id; its devices' comms alarms are grouped
 * under it).
 */
export type AlarmKind = DeviceKind | 'connection';
export const ALARM_KINDS = [...DEVICE_KINDS, 'connection'] as const;

export const DEVICE_MODES = ['in_service', 'maintenance', 'out_of_service'] as const;
/** Operator-set mode of a device. Alarms of a device not `in_service` are suppressed. */
export type DeviceMode = (typeof DEVICE_MODES)[number];

/** Hint for the work-order module: which trade should be sent and how urgently. */
export interface WorkOrderHint {
  readonly trade: string;
  readonly priority: number;
}

export interface ShelfInfo {
  readonly by: string;
  readonly reason: string;
  /** Epoch ms when shelved. */
  readonly at: number;
  /** Epoch ms when the shelf expires. */
  readonly until: number;
}

export interface AlarmRecord {
  /** Stable id of this instance (UUID). */
  readonly id: string;
  /** Rule id; for per-point expanded rules `<rule>/<point>` (e.g. `fire.zone-fire/zone_3_state`). */
  readonly rule: string;
  /** Device id, or the connector id for a `connection` alarm. */
  readonly device: string;
  readonly kind: AlarmKind;
  readonly site: string;
  readonly building: string;
  readonly floor: string;
  /** Short human title from the rule (`Fire zone 3 in fire`). */
  readonly title: string;
  readonly priority: AlarmPriority;
  /** The configured meaning of the priority (`Emergency: life safety`). */
  readonly priorityLabel: string;
  readonly latching: boolean;
  /**
   * Life-safety alarm (fire, smoke, entrapment; the rule's `lifeSafety`): shelving is restricted
   * (`alarms.shelving`), and while shelved or suppressed it stays in the console's strip.
   * Absent on records written before this field existed (read as false).
   */
  readonly lifeSafety?: boolean;
  /**
   * The alarm this one is a consequence of (ISA-18.2 parent-child suppression, the rule's
   * `groupUnder`): while set, this alarm is recorded but not announced (`suppressed` is true), is
   * shown grouped under its parent, and its work order is the parent's. Null or absent otherwise.
   */
  readonly parent?: string | null;
  readonly workOrder: WorkOrderHint | null;
  readonly state: AlarmState;
  /** Whether the rule's condition is currently active (a latched alarm can be active-ack with this false). */
  readonly conditionActive: boolean;
  /** Epoch ms of the first `raised` of this instance. */
  readonly raisedAt: number;
  /** Epoch ms of the last change of this record. */
  readonly updatedAt: number;
  /** Times the condition became active within this instance (1 on first raise). */
  readonly occurrences: number;
  readonly ackedAt: number | null;
  readonly ackedBy: string | null;
  readonly clearedAt: number | null;
  /** Set when the instance reached `normal`. */
  readonly closedAt: number | null;
  readonly shelved: ShelfInfo | null;
  /** True while its device is not in service: recorded, not announced. */
  readonly suppressed: boolean;
  readonly chattering: boolean;
  /** Who the alarm is assigned to, by whom and when (absent or null: nobody). */
  readonly assignee?: AssigneeInfo | null;
  /** Point values that caused the last condition change. */
  readonly values: Readonly<Record<string, PointValue>>;
}

export interface AssigneeInfo {
  readonly to: string;
  readonly by: string;
  readonly at: number;
}

export interface FloodInfo {
  /** `building`: more than the limit started in one building; `site`: across the whole site. */
  readonly scope?: 'building' | 'site';
  /** The building (for a site flood: the building of the alarm that tipped it). */
  readonly building: string;
  readonly site?: string;
  /** Alarms started in the window, including this one. */
  readonly count: number;
  readonly windowMs: number;
}

export interface AlarmEvent {
  readonly type: AlarmEventType;
  /** The record after the transition. */
  readonly alarm: AlarmRecord;
  /** Epoch ms of the transition (the Clock's `now()`). */
  readonly at: number;
  /** Operator (from `x-user`) or `system:*` for automatic transitions; absent for condition changes. */
  readonly by?: string;
  /** Reason or comment text where the transition has one. */
  readonly text?: string;
  /** Only on `flood`. */
  readonly flood?: FloodInfo;
  /** On the `raised` of a parent: ids of open alarms grouped under it in the same transaction. */
  readonly children?: readonly string[];
}

/** One row of an alarm's journal (`GET /api/alarms/:id/journal`). */
export interface JournalEntry {
  readonly seq: number;
  readonly alarmId: string;
  readonly at: number;
  readonly type: AlarmEventType;
  readonly fromState: AlarmState | null;
  readonly toState: AlarmState;
  readonly by: string | null;
  readonly text: string | null;
  readonly values: Readonly<Record<string, PointValue>>;
}

export type AlarmListener = (event: AlarmEvent) => void;

/** Filters for listing alarms (API and other modules). Time range applies to the alarm's open span. */
export interface AlarmQuery {
  readonly priority?: readonly AlarmPriority[];
  readonly state?: readonly AlarmState[];
  readonly kind?: readonly AlarmKind[];
  readonly building?: string;
  readonly floor?: string;
  readonly device?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
}

export interface DeviceModeInfo {
  readonly device: string;
  readonly mode: DeviceMode;
  readonly by: string;
  readonly reason: string;
  readonly since: number;
  /**
   * When the gateway puts the device back in service on its own (epoch ms; null or absent: until an
   * operator does). Back in service at that time is journaled by `system:mode-end`.
   */
  readonly until?: number | null;
  /** The device has life-safety rules (fire, smoke, entrapment): this mode suppresses them. */
  readonly lifeSafety?: boolean;
}
