/**
 * The operator's actions in an alarm's side panel: acknowledge, reset a latched alarm, shelve with
 * reason and duration or unshelve, assign, comment. `run` performs one and shows its error.
 */
import { useState } from 'preact/hooks';
import type { AlarmRecord } from '../../../gateway/api/contract.ts';
import type { Translator } from '../i18n/i18n.ts';
import { acknowledge, addComment, assignAlarm, resetAlarm, shelve, unshelve } from './alarm-actions.ts';
import { isUnacked } from './alarm-list.ts';
import { SHELVE_DURATIONS } from './alarm-labels.ts';

export function AlarmPanelActions({ alarm: a, tr, run }: { alarm: AlarmRecord; tr: Translator; run: (fn: () => Promise<unknown>, after?: () => void) => void }) {
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState(SHELVE_DURATIONS[1]?.value ?? '1h');
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState('');
  return (
    <div class="panel-actions">
      {isUnacked(a) ? (
        <button type="button" data-testid="panel-ack" onClick={() => run(() => acknowledge(a.id))}>
          {tr.t('ackAlarm')}
        </button>
      ) : null}
      {a.latching && !a.conditionActive && !isUnacked(a) ? (
        <button type="button" data-testid="panel-reset" onClick={() => run(() => resetAlarm(a.id))}>
          {tr.t('reset')}
        </button>
      ) : null}
      {a.shelved ? (
        <button type="button" data-testid="panel-unshelve" onClick={() => run(() => unshelve(a.id))}>
          {tr.t('unshelve')}
        </button>
      ) : (
        <form
          class="shelve-form"
          onSubmit={(e) => {
            e.preventDefault();
            run(() => shelve(a.id, reason, duration), () => setReason(''));
          }}
        >
          <input name="reason" required placeholder={tr.t('reason')} aria-label={tr.t('reason')} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          <select name="duration" aria-label={tr.t('duration')} value={duration} onChange={(e) => setDuration((e.target as HTMLSelectElement).value)}>
            {SHELVE_DURATIONS.map((d) => (
              <option value={d.value}>{tr.t(d.label)}</option>
            ))}
          </select>
          <button type="submit" data-testid="panel-shelve">
            {tr.t('shelve')}
          </button>
        </form>
      )}
      {a.closedAt === null && (
        <form
          class="assign-form"
          onSubmit={(e) => {
            e.preventDefault();
            run(() => assignAlarm(a.id, assignee), () => setAssignee(''));
          }}
        >
          <input name="assignee" required placeholder={tr.t('assignTo')} aria-label={tr.t('assignTo')} value={assignee} onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} />
          <button type="submit" data-testid="panel-assign">
            {tr.t('assignTo')}
          </button>
        </form>
      )}
      <form
        class="comment-form"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => addComment(a.id, note), () => setNote(''));
        }}
      >
        <textarea name="comment" required rows={2} placeholder={tr.t('comment')} aria-label={tr.t('comment')} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        <button type="submit" data-testid="panel-comment">
          {tr.t('addComment')}
        </button>
      </form>
    </div>
  );
}
