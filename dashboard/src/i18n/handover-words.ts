/**
 * The words of shift-handover records in one language: rule titles, who acted, the gateway's
 * journal sentences, alarm states and work-order statuses. The handover page uses them, and so
 * does the gateway's printable handover (gateway/api/routes/handover-routes.ts), so the page and
 * the printout read alike. Pure functions and data: nothing here touches the DOM.
 */
import { STATE_LABEL } from '../alarms/alarm-labels.ts';
import { translator, type Language } from './i18n.ts';
import { actorText, alarmJournalText } from './journal-text.ts';
import { titleOfText } from './rule-titles.ts';

export interface HandoverRecordWords {
  title(rule: string | null, title: string): string;
  actor(by: string | null): string;
  text(line: { readonly text: string | null; readonly by: string | null }): string;
  alarmState(state: string): string;
  orderStatus(status: string): string;
}

export function handoverWords(language: Language): HandoverRecordWords {
  const tr = translator(language, 'UTC');
  return {
    title: (rule, title) => (rule ? tr.ruleTitle(rule, title) : titleOfText(title, language)),
    actor: (by) => (by ? actorText(by, tr) : ''),
    text: (line) => alarmJournalText({ type: '', by: line.by, text: line.text }, tr),
    alarmState: (state) => (state in STATE_LABEL ? tr.t(STATE_LABEL[state as keyof typeof STATE_LABEL]) : state),
    orderStatus: (status) => {
      const key = `st_${status}`;
      const label = tr.label(key);
      return label === key ? status : label;
    },
  };
}
