/**
 * Journal entries in the reader's language. What people wrote (notes, reasons) is shown as written;
 * what the gateway wrote — system actors (`system`, `system:expiry`, `alarm:<id>`), notification
 * events (`work_order.dispatch`) and its own sentences — is rebuilt from the entry's action and data
 * (or, for alarm journals, the sentence's known form) with the labels of messages-journal.ts.
 */
import type { Translator } from './i18n.ts';
import type { MessageKey } from './messages.ts';
import { titleOfText } from './rule-titles.ts';

const fill = (template: string, values: Record<string, string | number>): string => template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));

const SYSTEM_ACTORS: Readonly<Record<string, MessageKey>> = {
  system: 'actorSystem',
  'system:expiry': 'actorExpiry',
  'system:flood': 'actorFlood',
  'system:escalation': 'actorEscalation',
  'system:mode-end': 'actorModeEnd',
};

/** Who wrote a journal entry: people by their account, the gateway's parts by name, `alarm:<id>` as the alarm. */
export function actorText(actor: string | null, tr: Translator): string {
  if (actor === null || actor === '') return '—';
  const key = SYSTEM_ACTORS[actor];
  if (key) return tr.t(key);
  if (actor.startsWith('alarm:')) return tr.t('actorAlarm');
  // operator:olga, contractor:lift-co → the account
  const m = /^(operator|contractor):(.+)$/.exec(actor);
  return m ? (m[2] as string) : actor;
}

/** A notification event code (`work_order.dispatch`) in words; unknown codes as given. */
export function eventText(code: unknown, tr: Translator): string {
  if (typeof code !== 'string') return '';
  const key = `ev_${code.replace(/[.-]/g, '_')}`;
  const label = tr.label(key);
  return label === key ? code : label;
}

/** The label of a work-order journal action (`j_dispatch`); unknown actions as given. */
export function workOrderActionText(action: string, tr: Translator): string {
  const key = `j_${action}`;
  const label = tr.label(key);
  return label === key ? action : label;
}

interface WorkOrderEntry {
  readonly actor: string;
  readonly action: string;
  readonly note: string | null;
  readonly data: Record<string, unknown> | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * The note of a work-order journal entry: the gateway's own notes rebuilt in the reader's language,
 * a person's note as written. `data` marks the parts that are data (ids, error messages) for the page.
 */
export function workOrderNoteText(j: WorkOrderEntry, tr: Translator): string | null {
  const d = j.data ?? {};
  const byGateway = j.actor === 'system' || j.actor.startsWith('alarm:');
  if (!byGateway) return j.note;
  const via = (channel: unknown): string => (str(channel) ? ` (${tr.t('jtBy')} ${str(channel)})` : '');
  switch (j.action) {
    case 'queued':
    case 'dispatch_retry':
      if (d.event !== undefined) return `${eventText(d.event, tr)} ${tr.t('jtTo')} ${str(d.recipient)}${via(d.channel)}`;
      break;
    case 'escalated':
      if (d.event !== undefined) {
        const to = Array.isArray(d.recipients) && d.recipients.length > 0 ? d.recipients.map(str).join(', ') : tr.t('jtNobody');
        return `${eventText(d.event, tr)} ${tr.t('jtTo')} ${to}`;
      }
      break;
    case 'dispatch':
    case 'delivered':
      if (d.recipient !== undefined) return `${tr.t('jtDeliveredTo')} ${str(d.recipient)}${via(d.channel)}`;
      break;
    case 'dead_letter':
      if (d.event !== undefined) return `${eventText(d.event, tr)} ${tr.t('jtTo')} ${str(d.recipient)}${via(d.channel)}: ${str(d.reason)}`;
      break;
    case 'unrouted':
      if (d.trade !== undefined) return `${tr.t('jtUnrouted')}: ${tr.label(str(d.trade))} / ${tr.label(str(d.kind))} / ${str(d.building)}`;
      break;
    case 'sla_respond_breached':
    case 'sla_fix_breached':
      if (typeof d.deadline === 'number') return fill(tr.t('jtDeadlinePassed'), { t: tr.time(d.deadline) });
      break;
    case 'alarm_cleared':
      return j.note?.startsWith('one alarm') ? tr.t('jtClearedOne') : tr.t('jtClearedAll');
    case 'recurrence':
      return j.note?.includes('resolved') ? tr.t('jtRecurredResolved') : tr.t('jtRecurred');
    case 'incident_cause':
    case 'incident_consequence': {
      // "cause found: <title>; the order now covers the incident (priority 3 → 1)" / "consequence of the same incident: <title>"
      const title = /^(?:cause found|consequence of the same incident): (.+?)(?:; the order now covers the incident.*)?$/.exec(j.note ?? '')?.[1];
      const what = title ? titleOfText(title, tr.language) : '';
      const prio = typeof d.priority === 'number' && typeof d.previousPriority === 'number' ? ` (P${d.previousPriority} → P${d.priority})` : '';
      return j.action === 'incident_cause' ? `${what}; ${tr.t('jtCoversIncident')}${prio}` : what;
    }
    case 'created':
      return j.note === null ? null : titleOfText(j.note, tr.language);
  }
  return j.note;
}

interface AlarmEntry {
  readonly type: string;
  readonly by: string | null;
  readonly text: string | null;
}

const MODE_WORDS: Readonly<Record<string, MessageKey>> = { maintenance: 'modeMaintenance', 'out of service': 'modeOutOfService', 'in service': 'modeInService' };

/** The text of an alarm journal row: the gateway's sentences in the reader's language, people's words as written. */
export function alarmJournalText(j: AlarmEntry, tr: Translator): string {
  const text = j.text ?? '';
  if (text === '') return '';
  let m: RegExpExecArray | null;
  if ((m = /^consequence of: (.+)$/.exec(text))) return `${tr.t('jtConsequenceOf')}: ${titleOfText(m[1] as string, tr.language)}`;
  if ((m = /^no longer grouped: (.+) ended$/.exec(text))) return `${tr.t('jtNoLongerGrouped')}: ${titleOfText(m[1] as string, tr.language)}`;
  if ((m = /^device (maintenance|out of service|in service)(?:: (.*))?$/.exec(text))) {
    const reason = m[2] ?? '';
    const words = j.by === 'system:mode-end' ? tr.t('modeEndTimeReached') : reason;
    return `${tr.t(MODE_WORDS[m[1] as string] as MessageKey)}${words ? `: ${words}` : ''}`;
  }
  if (text === 'shelf expired') return tr.t('jtShelfExpired');
  if ((m = /^(.*) \[(\w+) shelved a (life-safety|priority-1) alarm for (\d+) min\]$/.exec(text))) {
    return `${m[1]} [${fill(tr.t('jtShelvedRestricted'), { role: tr.label(m[2] as string), what: tr.t(m[3] === 'life-safety' ? 'jtLifeSafety' : 'jtPriority1'), n: m[4] as string })}]`;
  }
  if ((m = /^assigned to ([^:]+)(?:: (.*))?$/.exec(text))) return `${tr.t('jtAssignedTo')} ${m[1]}${m[2] ? `: ${m[2]}` : ''}`;
  if ((m = /^step (\d+): (.+) \(level (\d+)\) notified by (.+); unacknowledged for (\d+) min$/.exec(text))) {
    return fill(tr.t('jtEscalatedStep'), { step: m[1] as string, name: m[2] as string, level: m[3] as string, channels: m[4] as string, n: m[5] as string });
  }
  if ((m = /^told (.+) that it cleared \((back to normal|condition cleared)\)$/.exec(text))) {
    return fill(tr.t('jtEscalationCleared'), { names: m[1] as string, how: tr.t(m[2] === 'back to normal' ? 'jtBackToNormal' : 'jtConditionCleared') });
  }
  if ((m = /^more than (\d+) alarms in (.+) within (\d+) min$/.exec(text))) return fill(tr.t('jtFlood'), { n: m[1] as string, where: (m[2] as string).replace(/^site /, ''), m: m[3] as string });
  if ((m = /^step (\d+) of (\d+) (done|reopened): (.+) \/ (.+)$/.exec(text))) {
    return fill(tr.t(m[3] === 'done' ? 'jtStepDone' : 'jtStepReopened'), { step: m[1] as string, of: m[2] as string, text: (tr.language === 'en' ? m[4] : m[5]) as string });
  }
  return text;
}
