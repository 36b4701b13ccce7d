/**
 * The alarm manager's contract with the rule engine and the alarm service: what an alarm is about,
 * what the manager needs to know of a rule, its options, and the error of a refused operator action.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import type { DeviceInfo, Location } from '../../gateway/model/device.ts';
import type { PointValue } from '../../gateway/model/sample.ts';
import type { WriteHealth } from '../../gateway/platform/write-health.ts';
import type { AlarmKind, AlarmPriority, WorkOrderHint } from './alarm-model.ts';
import type { AlarmStore } from './alarm-store.ts';
import type { AlarmSettings } from './config/rule-schema.ts';

/** What an alarm is about: a device, or a connector (`kind: 'connection'`). DeviceInfo fits. */
export interface AlarmSubject {
  readonly id: string;
  readonly kind: AlarmKind;
  readonly location: Location;
}

/** The rule id of connection alarms (one per connector whose link is lost). */
export const CONNECTION_RULE = 'connection.lost';

/** What the manager needs to know about the rule behind an alarm. */
export interface RuleMeta {
  readonly rule: string;
  readonly title: string;
  readonly priority: AlarmPriority;
  readonly latching: boolean;
  readonly workOrder: WorkOrderHint | null;
  /** The rule is marked `lifeSafety` (fire, smoke, entrapment). */
  readonly lifeSafety?: boolean;
  /** Rule ids (as written) whose active alarm on the same device makes this one a consequence. */
  readonly groupUnder?: readonly string[];
}

export type AlarmActionErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'SHELVE_NOT_ALLOWED';

/** An operator action that cannot be applied; `code` maps to an HTTP status in the API. */
export class AlarmActionError extends Error {
  readonly code: AlarmActionErrorCode;
  constructor(code: AlarmActionErrorCode, message: string) {
    super(message);
    this.name = 'AlarmActionError';
    this.code = code;
  }
}

export interface AlarmManagerOptions {
  readonly store: AlarmStore;
  readonly clock: Clock;
  readonly settings: AlarmSettings;
  readonly devices: readonly DeviceInfo[];
  readonly log: Logger;
  /** Devices with at least one life-safety rule: their maintenance mode is shown in the console's strip. */
  readonly lifeSafetyDevices?: ReadonlySet<string>;
  /** `groupUnder` of each rule (ids as written): which parents make an alarm of it a consequence. */
  readonly groupUnder?: ReadonlyMap<string, readonly string[]>;
  /** Rules that watch a whole device's silence (comms lost): consequences of a lost connection. */
  readonly commsRules?: ReadonlySet<string>;
  /** Health of writes to gateway.db (logs the real error once per state change). */
  readonly health?: WriteHealth;
  /** Called at once when a write failed with SQLITE_FULL; true when it freed space (the reserve). */
  readonly onDiskFull?: () => boolean;
  /** Retry period of condition changes that could not be journaled (default 1 s). */
  readonly retryEvery?: number;
}

export type Values = Readonly<Record<string, PointValue>>;

/** A condition change as the engine reported it; kept and retried until it is journaled. */
export interface ConditionChange {
  readonly meta: RuleMeta;
  readonly device: AlarmSubject;
  readonly active: boolean;
  readonly values: Values;
  /** When it happened (the alarm is dated by this, not by the retry). */
  readonly at: number;
}

/** The key of the one open instance of (rule, device). */
export const keyOf = (rule: string, device: string): string => `${rule}\u0000${device}`;
