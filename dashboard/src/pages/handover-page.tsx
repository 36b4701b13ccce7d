/**
 * Shift handover (`#/handover`): the report of a shift (default: the one running now) as it
 * stands, the outgoing operator's signature with a note, the signed handovers with the incoming
 * operator's countersignature, and printable pages in Chinese and English.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { STATE_LABEL } from '../alarms/alarm-labels.ts';
import type { AlarmLine, HandoverReportView, HandoverSummaryView, ShiftsAnswer } from './handover-view.ts';

const ALARM_SECTIONS: ReadonlyArray<[keyof HandoverReportView['alarms'], MessageKey]> = [
  ['raised', 'hoRaised'],
  ['acknowledged', 'hoAcknowledged'],
  ['active', 'hoActive'],
  ['shelved', 'hoShelved'],
  ['suppressed', 'hoSuppressed'],
];

export function HandoverPage() {
  const { tr, me } = useApp();
  const [shifts, setShifts] = useState<ShiftsAnswer | null>(null);
  const [pick, setPick] = useState<{ date: string; shift: string } | null>(null);
  const [report, setReport] = useState<HandoverReportView | null>(null);
  const [list, setList] = useState<HandoverSummaryView[]>([]);
  const [note, setNote] = useState('');
  const [acceptNote, setAcceptNote] = useState('');
  const [error, setError] = useState('');
  const canSign = me.role === 'operator' || me.role === 'admin';
  const fail = (err: unknown): void => setError(err instanceof ApiCallError ? err.message : String(err));
  const stateLabel = (st: string | undefined): string => (st !== undefined && st in STATE_LABEL ? tr.t(STATE_LABEL[st as keyof typeof STATE_LABEL]) : (st ?? ''));
  const name = (n: { 'zh-CN': string; en: string }): string => (tr.language === 'zh-CN' ? n['zh-CN'] : n.en);

  const loadList = (): void => void api<{ handovers: HandoverSummaryView[] }>('/api/handovers').then((r) => setList(r.handovers), fail);
  useEffect(() => {
    api<ShiftsAnswer>('/api/handovers/shifts').then((s) => {
      setShifts(s);
      setPick({ date: s.current.date, shift: s.current.id });
    }, fail);
    loadList();
  }, []);
  const query = pick ? `date=${encodeURIComponent(pick.date)}&shift=${encodeURIComponent(pick.shift)}` : '';
  useEffect(() => {
    if (!pick) return;
    setError('');
    api<HandoverReportView>(`/api/handovers/report?${query}`).then(setReport, fail);
  }, [query]);

  const sign = (): void => {
    if (!pick) return;
    setError('');
    api('/api/handovers', { method: 'POST', body: { ...pick, note } }).then(() => (setNote(''), loadList()), fail);
  };
  const accept = (id: number): void => {
    setError('');
    api(`/api/handovers/${id}/accept`, { method: 'POST', body: { note: acceptNote } }).then(() => (setAcceptNote(''), loadList()), fail);
  };
  const alarmRows = (lines: readonly AlarmLine[], showState: boolean) => (
    <tbody>
      {lines.map((a) => (
        <tr data-rule={a.rule} data-device={a.device}>
          <td>{tr.time(a.at)}</td>
          <td>{`P${a.priority}`}</td>
          <td>{tr.ruleTitle(a.rule, a.title)}</td>
          <td data-data>{a.device}</td>
          <td>{showState ? stateLabel(a.state) : (a.by ?? '')}</td>
        </tr>
      ))}
    </tbody>
  );

  return (
    <section class="handover" data-testid="handover-page">
      <h2>{tr.t('navHandover')}</h2>
      {shifts && pick ? (
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            {tr.t('hoDate')} <input type="date" data-testid="ho-date" value={pick.date} onInput={(e) => setPick({ ...pick, date: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            {tr.t('hoShift')}{' '}
            <select data-testid="ho-shift" value={pick.shift} onChange={(e) => setPick({ ...pick, shift: (e.target as HTMLSelectElement).value })}>
              {shifts.shifts.map((s) => (
                <option value={s.id}>
                  {name(s.name)} ({s.start})
                </option>
              ))}
            </select>
          </label>
          <a href={`/api/handovers/report/print?${query}&lang=${tr.language}`} target="_blank" rel="noopener" data-testid="ho-print-draft">
            {tr.t('hoPrint')}
          </a>
        </form>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <div data-testid="ho-report">
          <p>
            {name(report.shift.name)} {tr.time(report.shift.from)} – {tr.time(report.shift.to)}
          </p>
          {ALARM_SECTIONS.map(([key, label]) => (
            <div data-section={key}>
              <h3>
                {tr.t(label)} ({report.alarms[key].length})
              </h3>
              {report.alarms[key].length > 0 ? <table>{alarmRows(report.alarms[key], key === 'active')}</table> : null}
            </div>
          ))}
          {report.workOrders ? (
            <div data-section="work-orders">
              <h3>{tr.t('navWorkOrders')}</h3>
              <p>
                {tr.t('hoOpened')}: {report.workOrders.opened.length} · {tr.t('hoClosed')}: {report.workOrders.closed.length} · {tr.t('hoOverdue')}: {report.workOrders.overdue.length}
              </p>
              <ul>
                {report.workOrders.overdue.map((w) => (
                  <li>
                    #{w.id} {w.title} ({w.status})
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <div data-section="maintenance">
            <h3>
              {tr.t('hoMaintenance')} ({report.maintenance.length})
            </h3>
            <ul>
              {report.maintenance.map((m) => (
                <li>
                  <span data-data>{m.device}</span>: {m.mode === 'maintenance' ? tr.t('maintenance') : m.mode === 'out_of_service' ? tr.t('hoOutOfService') : m.mode} — {m.reason} ({m.by}, {tr.time(m.since)})
                </li>
              ))}
            </ul>
          </div>
          <div data-section="trouble">
            <h3>
              {tr.t('hoTrouble')} ({report.trouble.length})
            </h3>
            <ul>
              {report.trouble.map((t) => (
                <li>
                  {t.source}: {t.message}
                </li>
              ))}
            </ul>
          </div>
          <div data-section="steps">
            <h3>{tr.t('hoOpenSteps')}</h3>
            <ul>
              {report.openSteps.map((a) => (
                <li>
                  {tr.ruleTitle(a.rule, a.title)} — <span data-data>{a.device}</span>
                  <ol>
                    {a.steps.map((s) => (
                      <li value={s.step}>{name(s.text)}</li>
                    ))}
                  </ol>
                </li>
              ))}
            </ul>
          </div>
          {canSign ? (
            <form
              class="ho-sign"
              onSubmit={(e) => {
                e.preventDefault();
                sign();
              }}
            >
              <textarea rows={2} data-testid="ho-note" placeholder={tr.t('hoNote')} aria-label={tr.t('hoNote')} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
              <button type="submit" data-testid="ho-sign">
                {tr.t('hoSignOutgoing')}
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
      <h3>{tr.t('hoSigned')}</h3>
      <table data-testid="ho-list">
        <tbody>
          {list.map((h) => (
            <tr data-id={h.id}>
              <td>
                {(() => {
                  const s = shifts?.shifts.find((x) => x.id === h.shiftId);
                  return s ? name(s.name) : h.shiftId;
                })()}{' '}
                {tr.time(h.from)}
              </td>
              <td>
                {tr.t('hoOutgoing')}: {h.outgoing.by} ({tr.time(h.outgoing.at)}) {h.outgoing.note}
              </td>
              <td data-testid="ho-incoming">
                {h.incoming ? (
                  `${tr.t('hoIncoming')}: ${h.incoming.by} (${tr.time(h.incoming.at)}) ${h.incoming.note}`
                ) : canSign && h.outgoing.by !== me.username ? (
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      accept(h.id);
                    }}
                  >
                    <input data-testid="ho-accept-note" placeholder={tr.t('hoNote')} aria-label={tr.t('hoNote')} value={acceptNote} onInput={(e) => setAcceptNote((e.target as HTMLInputElement).value)} />
                    <button type="submit" data-testid="ho-accept">
                      {tr.t('hoSignIncoming')}
                    </button>
                  </form>
                ) : (
                  tr.t('hoAwaiting')
                )}
              </td>
              <td>
                <a href={`/api/handovers/${h.id}/print?lang=zh-CN`} target="_blank" rel="noopener">
                  中文
                </a>{' '}
                <a href={`/api/handovers/${h.id}/print?lang=en`} target="_blank" rel="noopener">
                  English
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
