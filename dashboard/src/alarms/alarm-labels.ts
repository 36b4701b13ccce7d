/** Message keys for alarm states and journal entry types. */
import type { AlarmEventType, AlarmState } from '../../../gateway/api/contract.ts';
import type { MessageKey } from '../i18n/messages.ts';

export const STATE_LABEL: Record<AlarmState, MessageKey> = {
  'active-unack': 'stActiveUnack',
  'active-ack': 'stActiveAck',
  'rtn-unack': 'stRtnUnack',
  normal: 'stNormal',
};

export const EVENT_LABEL: Record<AlarmEventType, MessageKey> = {
  raised: 'evRaised',
  acknowledged: 'evAcknowledged',
  cleared: 'evCleared',
  reset: 'evReset',
  shelved: 'evShelved',
  unshelved: 'evUnshelved',
  suppressed: 'evSuppressed',
  comment: 'evComment',
  chattering: 'evChattering',
  flood: 'evFlood',
  grouped: 'evGrouped',
  escalated: 'evEscalated',
  'escalation-cleared': 'evEscalationCleared',
  assigned: 'evAssigned',
  'procedure-step': 'evProcedureStep',
  source: 'evSource',
};

/** Shelving durations offered to the operator (the API takes `30m`, `2h`, `1d`). */
export const SHELVE_DURATIONS: ReadonlyArray<{ value: string; label: MessageKey }> = [
  { value: '15m', label: 'minutes15' },
  { value: '1h', label: 'hour1' },
  { value: '8h', label: 'hours8' },
  { value: '1d', label: 'day1' },
];
