/**
 * The narrow input work orders consume from the alarm engine. The integrator adapts the alarm
 * engine's events to this shape and calls `WorkOrderService.onAlarm(signal)`.
 *
 * Delivery may be at-least-once: a `raised` signal whose `alarmId` is already on the open order is
 * recognised and ignored; a `raised` with a new `alarmId` for the same (device, rule) is a recurrence.
 */
import { z } from 'zod';
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import { subjectKindName } from '../../gateway/model/kinds/kind-name.ts';
import type { Location } from '../../gateway/model/device.ts';

export type Priority = 1 | 2 | 3 | 4;

export const ALARM_SIGNAL_TYPES = ['raised', 'cleared', 'acknowledged', 'shelved', 'suppressed', 'grouped'] as const;

/** What an alarm is about: a device kind, or `connection` (the `device` is then a connector id). */
export type SignalKind = DeviceKind | 'connection';
export type AlarmSignalType = (typeof ALARM_SIGNAL_TYPES)[number];

export interface AlarmSignal {
  readonly type: AlarmSignalType;
  /** The alarm instance (one per raise of a (rule, device) condition). */
  readonly alarmId: string;
  /** The rule that raised it: the "fault" of the de-duplication key (device, fault). */
  readonly ruleId: string;
  readonly device: string;
  readonly kind: SignalKind;
  readonly location: Location;
  readonly priority: Priority;
  readonly message: string;
  /** Epoch ms of the alarm transition. */
  readonly at: number;
  /** Present when the rule asks for a work order: which trade, and optionally another priority. */
  readonly workOrder?: { readonly trade: string; readonly priority?: Priority };
  /**
   * A consequence (`grouped`, or a raise of a grouped alarm): the alarm it is grouped under. Its
   * work order is the parent's (appended), not one of its own.
   */
  readonly parent?: string;
  /** A cause raised over earlier consequences: their alarm ids (it joins their open order). */
  readonly children?: readonly string[];
}

const priority = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

/** Run-time check of a signal at the boundary (the adapter is someone else's code). */
export const alarmSignalSchema = z.object({
  type: z.enum(ALARM_SIGNAL_TYPES),
  alarmId: z.string().min(1),
  ruleId: z.string().min(1),
  device: z.string().min(1),
  kind: subjectKindName,
  location: z.object({ site: z.string(), building: z.string(), floor: z.string() }),
  priority,
  message: z.string(),
  at: z.number().finite(),
  workOrder: z.object({ trade: z.string().min(1), priority: priority.optional() }).optional(),
  parent: z.string().min(1).optional(),
  children: z.array(z.string().min(1)).optional(),
});

/** Undefined when the signal is well formed, else `field: problem; …`. */
export function checkAlarmSignal(value: unknown): string | undefined {
  const r = alarmSignalSchema.safeParse(value);
  if (r.success) return undefined;
  return r.error.issues.map((i) => `${i.path.join('.') || 'signal'}: ${i.message}`).join('; ');
}
