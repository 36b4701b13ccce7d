/**
 * The ISA-18.2 state machine as pure functions: given a record and what happened, the next record.
 * Persistence and events live in alarm-ledger.ts, timers in alarm-manager.ts.
 */
import type { AlarmRecord, AlarmState } from './alarm-model.ts';
import type { PointValue } from '../../gateway/model/sample.ts';

export type TransitionResult = { readonly ok: true; readonly next: AlarmRecord } | { readonly ok: false; readonly reason: string };

type Values = Readonly<Record<string, PointValue>>;

function closeIf(next: AlarmRecord, at: number): AlarmRecord {
  return next.state === 'normal' ? { ...next, closedAt: at } : next;
}

/** The condition became active on an open alarm (re-alarm). */
export function onConditionActive(a: AlarmRecord, at: number, values: Values): AlarmRecord {
  // A condition that returns needs fresh attention, whatever was acknowledged before.
  const state: AlarmState = 'active-unack';
  return { ...a, state, conditionActive: true, occurrences: a.occurrences + 1, updatedAt: at, values, ackedAt: null, ackedBy: null };
}

/** The condition became inactive. */
export function onConditionInactive(a: AlarmRecord, at: number, values: Values): AlarmRecord {
  const base = { ...a, conditionActive: false, clearedAt: at, updatedAt: at, values };
  if (a.suppressed) return closeIf({ ...base, state: 'normal' }, at); // nobody was told: nothing to acknowledge
  if (a.latching) return base; // stays until acknowledged and reset
  if (a.state === 'active-ack') return closeIf({ ...base, state: 'normal' }, at);
  if (a.state === 'active-unack') return { ...base, state: 'rtn-unack' };
  return base;
}

export function acknowledge(a: AlarmRecord, at: number, by: string): TransitionResult {
  if (a.state === 'active-ack') return { ok: false, reason: `alarm ${a.id} is already acknowledged` };
  if (a.state === 'normal') return { ok: false, reason: `alarm ${a.id} is already back to normal` };
  const state: AlarmState = a.state === 'rtn-unack' ? 'normal' : 'active-ack';
  return { ok: true, next: closeIf({ ...a, state, ackedAt: at, ackedBy: by, updatedAt: at }, at) };
}

export function reset(a: AlarmRecord, at: number): TransitionResult {
  if (!a.latching) return { ok: false, reason: `alarm ${a.id} is not latching; it clears by itself` };
  if (a.conditionActive) return { ok: false, reason: `alarm ${a.id}: the condition is still active; it cannot be reset yet` };
  if (a.state === 'active-unack') return { ok: false, reason: `alarm ${a.id} must be acknowledged before it is reset` };
  if (a.state === 'normal') return { ok: false, reason: `alarm ${a.id} is already back to normal` };
  return { ok: true, next: closeIf({ ...a, state: 'normal', updatedAt: at }, at) };
}
