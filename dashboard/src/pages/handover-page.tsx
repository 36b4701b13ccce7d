/**
 * Shift handover (`#/handover`): the report of a shift (default: the one running now) as it
 * stands, the outgoing operator's signature with a note, the signed handovers with the incoming
 * operator's countersignature, and printable pages in Chinese and English.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import type { Translator } from '../i18n/i18n.ts';
import { HandoverList } from './handover-list.tsx';
import { AlarmSections, nameIn, OtherSections } from './handover-sections.tsx';
import type { HandoverReportView, HandoverSummaryView, ShiftsAnswer } from './handover-view.ts';

type Pick = { date: string; shift: string };

function ShiftPicker(props: { shifts: ShiftsAnswer; pick: Pick; query: string; tr: Translator; onPick: (p: Pick) => void }) {
  const { tr, pick } = props;
  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        {tr.t('hoDate')} <input type="date" data-testid="ho-date" value={pick.date} onInput={(e) => props.onPick({ ...pick, date: (e.target as HTMLInputElement).value })} />
      </label>
      <label>
        {tr.t('hoShift')}{' '}
        <select data-testid="ho-shift" value={pick.shift} onChange={(e) => props.onPick({ ...pick, shift: (e.target as HTMLSelectElement).value })}>
          {props.shifts.shifts.map((s) => (
            <option value={s.id}>
              {nameIn(tr, s.name)} ({s.start})
            </option>
          ))}
        </select>
      </label>
      <a href={`/api/handovers/report/print?${props.query}&lang=${tr.language}`} target="_blank" rel="noopener" data-testid="ho-print-draft">
        {tr.t('hoPrint')}
      </a>
    </form>
  );
}

function SignForm(props: { tr: Translator; onSign: (note: string) => void }) {
  const [note, setNote] = useState('');
  return (
    <form
      class="ho-sign"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSign(note);
        setNote('');
      }}
    >
      <textarea rows={2} data-testid="ho-note" placeholder={props.tr.t('hoNote')} aria-label={props.tr.t('hoNote')} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" data-testid="ho-sign">
        {props.tr.t('hoSignOutgoing')}
      </button>
    </form>
  );
}

export function HandoverPage() {
  const { tr, me } = useApp();
  const [shifts, setShifts] = useState<ShiftsAnswer | null>(null);
  const [pick, setPick] = useState<Pick | null>(null);
  const [report, setReport] = useState<HandoverReportView | null>(null);
  const [list, setList] = useState<HandoverSummaryView[]>([]);
  const [error, setError] = useState('');
  const canSign = me.role === 'operator' || me.role === 'admin';
  const fail = (err: unknown): void => setError(err instanceof ApiCallError ? err.message : String(err));
  const loadList = (): void => void api<{ handovers: HandoverSummaryView[] }>('/api/handovers').then((r) => setList(r.handovers), fail);
  useEffect(() => {
    api<ShiftsAnswer>('/api/handovers/shifts').then((s) => (setShifts(s), setPick({ date: s.current.date, shift: s.current.id })), fail);
    loadList();
  }, []);
  const query = pick ? `date=${encodeURIComponent(pick.date)}&shift=${encodeURIComponent(pick.shift)}` : '';
  useEffect(() => {
    if (pick) api<HandoverReportView>(`/api/handovers/report?${query}`).then((r) => (setReport(r), setError('')), fail);
  }, [query]);
  const post = (path: string, body: unknown): void => void api(path, { method: 'POST', body }).then(() => (setError(''), loadList()), fail);

  return (
    <section class="handover" data-testid="handover-page">
      <h2>{tr.t('navHandover')}</h2>
      {shifts && pick ? <ShiftPicker shifts={shifts} pick={pick} query={query} tr={tr} onPick={setPick} /> : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <div data-testid="ho-report">
          <p>
            {nameIn(tr, report.shift.name)} {tr.time(report.shift.from)} – {tr.time(report.shift.to)}
          </p>
          <AlarmSections report={report} tr={tr} />
          <OtherSections report={report} tr={tr} />
          {canSign && pick ? <SignForm tr={tr} onSign={(note) => post('/api/handovers', { ...pick, note })} /> : null}
        </div>
      ) : null}
      <h3>{tr.t('hoSigned')}</h3>
      <HandoverList list={list} shifts={shifts} me={me.username} canSign={canSign} tr={tr} onAccept={(id, note) => post(`/api/handovers/${id}/accept`, { note })} />
    </section>
  );
}
