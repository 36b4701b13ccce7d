import type { DeviceCondition, DeviceView } from './api-client.ts';
import type { MessageKey } from './i18n/messages.ts';

export type { DeviceCondition };

/** Conditions in the order the overview counts them (worst first). */
export const CONDITIONS: readonly DeviceCondition[] = ['in_alarm', 'fault', 'comms_lost', 'unknown', 'maintenance', 'normal'];

/** The gateway computes the condition (gateway/live/device-condition.ts); the dashboard only draws it. */
export function deviceCondition(d: DeviceView): DeviceCondition {
  return d.condition;
}

export function conditionLabel(c: DeviceCondition): MessageKey {
  return `cond_${c}`;
}
