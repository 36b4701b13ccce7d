/**
 * Work-order KPIs and SLA (GET /api/work-orders/kpis: response time, time to fix, SLA compliance,
 * breaches and backlog per contractor or trade over the last 30 days) and the failed deliveries
 * (GET /api/work-orders/dead-letters) with a retry button for operators.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { formatDuration } from '../i18n/duration.ts';

interface DurationStats {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  maxMs: number | null;
}
interface KpiRow {
  key: string;
  created: number;
  responseTime: DurationStats;
  timeToFix: DurationStats;
  judged: number;
  compliant: number;
  slaCompliancePct: number | null;
  respondBreaches: number;
  fixBreaches: number;
  openBacklog: number;
}
interface DeadLetter {
  id: string;
  orderId: number | null;
  recipient: string;
  channel: string;
  event: string;
  attempts: number;
  deadAt: number;
  reason: string;
}

export function WorkOrderKpiPage() {
  const { tr, me } = useApp();
  const [groupBy, setGroupBy] = useState<'contractor' | 'trade'>('contractor');
  const [rows, setRows] = useState<KpiRow[] | null>(null);
  const [dead, setDead] = useState<DeadLetter[] | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const fail = (err: unknown): void => setMessage({ ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) });
  const loadDead = (): void => void api<{ deadLetters: DeadLetter[] }>('/api/work-orders/dead-letters').then((r) => setDead(r.deadLetters), fail);
  useEffect(() => {
    setRows(null);
    void api<{ rows: KpiRow[] }>(`/api/work-orders/kpis?groupBy=${groupBy}`).then((r) => setRows(r.rows), fail);
  }, [groupBy]);
  useEffect(loadDead, []);
  const canRetry = me.role === 'operator' || me.role === 'admin';
  const retry = async (id: string): Promise<void> => {
    try {
      await api(`/api/work-orders/dead-letters/${id}/retry`, { method: 'POST' });
      setMessage({ ok: true, text: tr.t('retryQueued') });
      loadDead();
    } catch (err) {
      fail(err);
    }
  };
  return (
    <section class="wo-kpis" data-testid="wo-kpis">
      <h2>{tr.t('navWoKpis')}</h2>
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status">
          {message.text}
        </p>
      ) : null}
      <label>
        {tr.t('woKpiGroupBy')}{' '}
        <select value={groupBy} onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as 'contractor' | 'trade')} data-testid="wo-kpi-group">
          <option value="contractor">{tr.t('contractor')}</option>
          <option value="trade">{tr.t('woKpiTrade')}</option>
        </select>
      </label>
      <p class="muted">{tr.t('woKpiPeriod')}</p>
      <KpiTable rows={rows} groupBy={groupBy} />
      <h3>{tr.t('deadLetters')}</h3>
      <DeadLetterTable dead={dead} onRetry={canRetry ? (id) => void retry(id) : undefined} />
    </section>
  );
}

function KpiTable({ rows, groupBy }: { rows: KpiRow[] | null; groupBy: 'contractor' | 'trade' }) {
  const { tr } = useApp();
  const dur = (ms: number | null): string => (ms === null ? '—' : formatDuration(ms, tr));
  return (
    <>
      {rows === null ? (
        <p class="loading">…</p>
      ) : rows.length === 0 ? (
        <p>{tr.t('noData')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={tr.t('tableScroll')}>
          <table data-testid="wo-kpi-table">
            <thead>
              <tr>
                <th>{groupBy === 'contractor' ? tr.t('contractor') : tr.t('woKpiTrade')}</th>
                <th>{tr.t('woKpiCreated')}</th>
                <th>{tr.t('woKpiResponse')}</th>
                <th>{tr.t('woKpiFix')}</th>
                <th>{tr.t('woKpiSla')}</th>
                <th>{tr.t('woKpiBreaches')}</th>
                <th>{tr.t('woKpiBacklog')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} data-key={r.key}>
                  <th data-data="contractor or trade id">{r.key === '(unassigned)' ? tr.t('woKpiUnassigned') : r.key}</th>
                  <td>{r.created}</td>
                  <td>
                    {dur(r.responseTime.p50Ms)} / {dur(r.responseTime.p90Ms)}
                  </td>
                  <td>
                    {dur(r.timeToFix.p50Ms)} / {dur(r.timeToFix.p90Ms)}
                  </td>
                  <td class={r.slaCompliancePct !== null && r.slaCompliancePct < 90 ? 'bad' : ''}>{r.slaCompliancePct === null ? '—' : `${r.slaCompliancePct.toFixed(1)} %`}</td>
                  <td>
                    {r.respondBreaches} / {r.fixBreaches}
                  </td>
                  <td>{r.openBacklog}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">{tr.t('woKpiLegend')}</p>
        </div>
      )}
    </>
  );
}

function DeadLetterTable({ dead, onRetry }: { dead: DeadLetter[] | null; onRetry: ((id: string) => void) | undefined }) {
  const { tr } = useApp();
  return (
    <>
      {dead === null ? (
        <p class="loading">…</p>
      ) : dead.length === 0 ? (
        <p class="ok" data-testid="dead-letters-empty">
          {tr.t('deadLettersNone')}
        </p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={tr.t('tableScroll')}>
          <table data-testid="dead-letters">
            <thead>
              <tr>
                <th>{tr.t('historyTime')}</th>
                <th>{tr.t('woOrder')}</th>
                <th>{tr.t('deadRecipient')}</th>
                <th>{tr.t('deadAttempts')}</th>
                <th>{tr.t('deadReason')}</th>
                <th>{tr.t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {dead.map((d) => (
                <tr key={d.id} data-dead={d.id}>
                  <td>{tr.time(d.deadAt)}</td>
                  <td>{d.orderId === null ? '—' : `#${d.orderId}`}</td>
                  <td>
                    {d.recipient} · {d.channel} · <span data-data="event">{d.event}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td class="wrap" data-data="delivery error">
                    {d.reason}
                  </td>
                  <td>
                    {onRetry ? (
                      <button type="button" onClick={() => onRetry(d.id)} data-action="retry">
                        {tr.t('retry')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
