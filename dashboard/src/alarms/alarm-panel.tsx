/**
 * Side panel of one alarm: its facts, its journal (every transition: who, when, why) and the
 * operator's actions (acknowledge, shelve with reason and duration, unshelve, comment, reset).
 */
import { useEffect, useState } from 'preact/hooks';
import type { AlarmRecord, JournalEntry } from '../../../gateway/api/contract.ts';
import { ApiCallError } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';
import { journalOf } from './alarm-actions.ts';
import { actorText, alarmJournalText } from '../i18n/journal-text.ts';
import { EVENT_LABEL, STATE_LABEL } from './alarm-labels.ts';
import { AlarmPanelActions } from './alarm-panel-actions.tsx';
import { ProcedureChecklist } from './procedure-checklist.tsx';

export function AlarmPanel(props: { alarm: AlarmRecord; canAct: boolean; tr: Translator; place: string; onClose: () => void }) {
  const { alarm: a, tr, canAct } = props;
  const [journal, setJournal] = useState<JournalEntry[] | null>(null);
  const [error, setError] = useState('');
  // a procedure tick changes the journal, not the record: read the journal again
  const [ticks, setTicks] = useState(0);

  useEffect(() => {
    let alive = true;
    journalOf(a.id).then(
      (r) => alive && setJournal(r.journal),
      (err: unknown) => alive && setError(String((err as Error).message)),
    );
    return () => {
      alive = false;
    };
  }, [a.id, a.updatedAt, ticks]);

  const run = (fn: () => Promise<unknown>, after?: () => void): void => {
    setError('');
    fn().then(
      () => after?.(),
      (err: unknown) => setError(err instanceof ApiCallError ? err.message : String(err)),
    );
  };

  return (
    <aside class="alarm-panel" data-testid="alarm-panel" data-id={a.id}>
      <header class={`p${a.priority}`}>
        <strong>{`P${a.priority} · ${tr.ruleTitle(a.rule, a.title)}`}</strong>
        <button type="button" onClick={props.onClose} aria-label={tr.t('close')}>
          ✕
        </button>
      </header>
      <AlarmFacts alarm={a} tr={tr} place={props.place} />
      {error ? (
        <p class="error" role="alert">
          {tr.t('actionFailed')}: {error}
        </p>
      ) : null}
      {canAct ? <AlarmPanelActions alarm={a} tr={tr} run={run} /> : null}
      <ProcedureChecklist alarmId={a.id} canAct={canAct} tr={tr} onTicked={() => setTicks((n) => n + 1)} />
      <h3>{tr.t('alarmJournal')}</h3>
      <AlarmJournalTable journal={journal ?? []} tr={tr} />
    </aside>
  );
}

function AlarmFacts({ alarm: a, tr, place }: { alarm: AlarmRecord; tr: Translator; place: string }) {
  return (
  <dl>
    <dt>{tr.t('device')}</dt>
    <dd>{a.device}</dd>
    <dt>{tr.t('location')}</dt>
    <dd>{place}</dd>
    <dt>{tr.t('state')}</dt>
    <dd data-testid="panel-state">{tr.t(STATE_LABEL[a.state])}</dd>
    <dt>{tr.t('raisedAt')}</dt>
    <dd>{tr.time(a.raisedAt)}</dd>
    <dt>{tr.t('occurrences')}</dt>
    <dd>{a.occurrences}</dd>
    <dt>{tr.t('assignee')}</dt>
    <dd data-testid="panel-assignee">{a.assignee ? `${a.assignee.to} (${a.assignee.by}, ${tr.time(a.assignee.at)})` : '—'}</dd>
    {a.latching ? <dd class="tag">{tr.t('latching')}</dd> : null}
    {a.shelved ? (
      <>
        <dt>{tr.t('shelvedUntil')}</dt>
        <dd>
          {tr.time(a.shelved.until)} — {a.shelved.reason} ({a.shelved.by})
        </dd>
      </>
    ) : null}
    {a.suppressed ? <dd class="warn">{tr.t('suppressedMaintenance')}</dd> : null}
  </dl>
  );
}

function AlarmJournalTable({ journal, tr }: { journal: readonly JournalEntry[]; tr: Translator }) {
  return (
  <table class="journal" data-testid="journal">
    <thead>
      <tr>
        <th>{tr.t('updated')}</th>
        <th>{tr.t('alarm')}</th>
        <th>{tr.t('state')}</th>
        <th>{tr.t('by')}</th>
        <th>{tr.t('text')}</th>
      </tr>
    </thead>
    <tbody>
      {journal.map((j) => (
        <tr data-type={j.type}>
          <td>{tr.time(j.at)}</td>
          <td>{tr.t(EVENT_LABEL[j.type])}</td>
          <td>{tr.t(STATE_LABEL[j.toState])}</td>
          <td>{actorText(j.by, tr)}</td>
          <td>{alarmJournalText(j, tr)}</td>
        </tr>
      ))}
    </tbody>
  </table>
  );
}
