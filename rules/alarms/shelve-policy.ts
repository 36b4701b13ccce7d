/**
 * Who may shelve an alarm and for how long (`alarms.shelving`): a rule's own policy, else the
 * life-safety policy for life-safety rules, else the priority's, else anyone who acts on alarms
 * for at most `alarms.maxShelve`. By default priority-1 and life-safety alarms are shelved only by
 * an admin, for at most 30 minutes.
 */
import type { AlarmRecord } from './alarm-model.ts';
import type { AlarmSettings, ShelvePolicy } from './config/rule-schema.ts';

/** The role of whoever asks (the API passes the logged-in user's role). */
export type ShelverRole = 'operator' | 'admin';

export interface EffectivePolicy {
  readonly who: ShelvePolicy['who'];
  readonly maxMs: number;
  /** Where the policy came from, for the refusal message (`alarms.shelving.priorities.1`). */
  readonly source: string;
}

/** `fire.zone-fire/zone_3_state` → `fire.zone-fire`: policies name rules as written. */
export const baseRuleOf = (rule: string): string => rule.split('/')[0] ?? rule;

export function shelvePolicyOf(a: Pick<AlarmRecord, 'rule' | 'priority' | 'lifeSafety'>, settings: AlarmSettings): EffectivePolicy {
  const s = settings.shelving;
  const base = baseRuleOf(a.rule);
  const pick = (p: ShelvePolicy, source: string): EffectivePolicy => ({ who: p.who, maxMs: p.max ?? settings.maxShelve, source });
  const byRule = s.rules[a.rule] ?? s.rules[base];
  if (byRule) return pick(byRule, `alarms.shelving.rules.${s.rules[a.rule] ? a.rule : base}`);
  if (a.lifeSafety === true) return pick(s.lifeSafety, 'alarms.shelving.lifeSafety');
  const byPriority = s.priorities[String(a.priority) as '1' | '2' | '3' | '4'];
  if (byPriority) return pick(byPriority, `alarms.shelving.priorities.${a.priority}`);
  return { who: 'operator', maxMs: settings.maxShelve, source: 'alarms.maxShelve' };
}

/** Why `role` may not shelve this alarm for `durationMs`, or undefined when it may. */
export function shelveRefusal(
  a: Pick<AlarmRecord, 'rule' | 'priority' | 'lifeSafety' | 'title'>,
  role: ShelverRole,
  durationMs: number,
  settings: AlarmSettings,
): { readonly code: 'SHELVE_NOT_ALLOWED' | 'SHELVE_TOO_LONG'; readonly message: string } | undefined {
  const p = shelvePolicyOf(a, settings);
  const what = a.lifeSafety === true ? `life-safety alarm "${a.title}"` : `priority-${a.priority} alarm "${a.title}"`;
  if (p.who === 'nobody') return { code: 'SHELVE_NOT_ALLOWED', message: `${what} cannot be shelved (${p.source})` };
  if (p.who === 'admin' && role !== 'admin') {
    return { code: 'SHELVE_NOT_ALLOWED', message: `${what} cannot be shelved by an operator; only an admin may, with a reason, for at most ${minutes(p.maxMs)} (${p.source})` };
  }
  if (durationMs > p.maxMs) return { code: 'SHELVE_TOO_LONG', message: `duration: ${what} may be shelved for at most ${minutes(p.maxMs)} (${p.source})` };
  return undefined;
}

function minutes(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}
