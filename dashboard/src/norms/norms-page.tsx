/**
 * The staff's service-norms page (`#/norms`): the month's norms with value, target and verdict
 * (printable report and CSV), the equipment ledger (each device's printable history and QR label,
 * CSV/XLSX export), and the month's resident requests (contacts as the API shows them to the role).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { localTime, normsText, type NormsKey } from './norms-messages.ts';

interface NormFigure {
  id: string;
  value: number | null;
  target: number;
  verdict: 'met' | 'missed' | 'no_data';
  ok: number | null;
  total: number | null;
}
interface NormsReport {
  month: { norms: NormFigure[] };
}
interface LedgerRow {
  id: string;
  name: string;
  kind: string;
  asset: { model: string | null; manufacturer: string | null; warrantyEnd: string | null };
}
interface RequestRow {
  id: number;
  category: string;
  place: string;
  createdAt: number;
  contactPhone: string | null;
  rating: number | null;
}

const LABELS: Record<string, { 'zh-CN': string; en: string }> = {
  facilities_good_order: { 'zh-CN': '设施设备完好率', en: 'Facilities in good order' },
  building_services: { 'zh-CN': '房屋配套设施完好率', en: 'Building services intact' },
  repair_response: { 'zh-CN': '报修 30 分钟内响应率', en: 'Repairs answered within 30 min' },
  repair_fix: { 'zh-CN': '报修 24 小时内修复率', en: 'Repairs fixed within 24 h' },
  service_response: { 'zh-CN': '服务 2 小时内响应率', en: 'Service response within 2 h' },
  major_incidents: { 'zh-CN': '重大事件按时处置率', en: 'Major incidents within SLA' },
  complaints_closed: { 'zh-CN': '投诉 3 个工作日内办结率', en: 'Complaints closed in 3 working days' },
  satisfaction: { 'zh-CN': '业主满意度', en: 'Satisfaction' },
  inspections_on_time: { 'zh-CN': '巡检按时完成率', en: 'Inspections on time' },
  drills_held: { 'zh-CN': '消防演练完成率', en: 'Fire drills held' },
};

function thisMonth(timeZone: string): string {
  return localTime(Date.now(), timeZone).slice(0, 7);
}

export function NormsPage() {
  const { tr, site } = useApp();
  const t = normsText(tr.language);
  const [month, setMonth] = useState(() => thisMonth(site.timezone));
  const [report, setReport] = useState<NormsReport | null>(null);
  const [ledger, setLedger] = useState<LedgerRow[] | null>(null);
  const [requests, setRequests] = useState<RequestRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const fail = (err: unknown): void => setError(err instanceof ApiCallError ? err.message : String(err));
    api<NormsReport>(`/api/norms/report?month=${month}`).then(setReport, fail);
    api<{ requests: RequestRow[] }>(`/api/norms/resident-requests?month=${month}`).then((r) => setRequests(r.requests), () => setRequests([]));
  }, [month]);
  useEffect(() => {
    api<{ devices: LedgerRow[] }>('/api/norms/ledger').then((r) => setLedger(r.devices), () => setLedger([]));
  }, []);
  const lang = tr.language;
  return (
    <section class="norms" data-testid="norms-page">
      <h2>{t('normsTitle')}</h2>
      <label>
        {t('month')} <input type="month" value={month} onInput={(e) => setMonth((e.currentTarget as HTMLInputElement).value)} />
      </label>{' '}
      <a href={`/api/norms/report?month=${month}&format=html&lang=${lang}`} target="_blank" rel="noopener">
        {t('printable')}
      </a>{' '}
      <a href={`/api/norms/report?month=${month}&format=csv`}>{t('exportCsv')}</a>
      {error ? <p class="error">{error}</p> : null}
      <NormsTable report={report} />
      <RequestsTable requests={requests} />
      <LedgerTable ledger={ledger} />
    </section>
  );
}

function NormsTable({ report }: { report: NormsReport | null }) {
  const { tr } = useApp();
  const t = normsText(tr.language);
  const lang = tr.language;
  const verdict = (v: NormFigure['verdict']): string => t(v === 'missed' ? 'missedNorm' : (v as NormsKey));
  return (
    <>
      {report ? (
        <table class="norms-table">
          <thead>
            <tr>
              <th>{t('norm')}</th>
              <th>{t('value')}</th>
              <th>{t('target')}</th>
              <th>{t('verdict')}</th>
            </tr>
          </thead>
          <tbody>
            {report.month.norms.map((n) => (
              <tr data-norm={n.id} class={n.verdict === 'missed' ? 'bad' : n.verdict === 'met' ? 'ok' : ''}>
                <td>{LABELS[n.id]?.[lang] ?? n.id}</td>
                <td class="num">{n.value === null ? '—' : `${n.value.toFixed(2)} %`}</td>
                <td class="num">≥ {n.target} %</td>
                <td>
                  {verdict(n.verdict)}
                  {n.total !== null ? ` (${n.ok}/${n.total})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="loading">…</p>
      )}

    </>
  );
}

function RequestsTable({ requests }: { requests: RequestRow[] | null }) {
  const { tr, site } = useApp();
  const t = normsText(tr.language);
  return (
    <>
      <h2>{t('requestsTitle')}</h2>
      {requests && requests.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>{t('created')}</th>
              <th>{t('category')}</th>
              <th>{t('place')}</th>
              <th>{t('contact')}</th>
              <th>{t('rating')}</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => (
              <tr>
                <td>{localTime(r.createdAt, site.timezone)}</td>
                <td>{t(r.category as NormsKey)}</td>
                <td>{r.place}</td>
                <td>{r.contactPhone ?? '—'}</td>
                <td>{r.rating === null ? '—' : '★'.repeat(r.rating)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>—</p>
      )}

    </>
  );
}

function LedgerTable({ ledger }: { ledger: LedgerRow[] | null }) {
  const { tr } = useApp();
  const t = normsText(tr.language);
  const lang = tr.language;
  return (
    <>
      <h2>{t('ledgerTitle')}</h2>
      <a href="/api/norms/ledger?format=csv">{t('exportCsv')}</a> <a href="/api/norms/ledger?format=xlsx">{t('exportXlsx')}</a>{' '}
      <a href="/api/norms/qr-labels" target="_blank" rel="noopener">
        {t('qrLabel')}
      </a>
      {ledger ? (
        <table data-testid="ledger">
          <thead>
            <tr>
              <th>{t('device')}</th>
              <th>{t('model')}</th>
              <th>{t('manufacturer')}</th>
              <th>{t('warrantyEnd')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {ledger.map((d) => (
              <tr data-device={d.id}>
                <td>
                  {d.name} <small>{d.id}</small>
                </td>
                <td>{d.asset.model ?? '—'}</td>
                <td>{d.asset.manufacturer ?? '—'}</td>
                <td>{d.asset.warrantyEnd ?? '—'}</td>
                <td>
                  <a href={`/api/norms/ledger/${encodeURIComponent(d.id)}?format=html&lang=${lang}`} target="_blank" rel="noopener">
                    {t('history')}
                  </a>{' '}
                  <a href={`/api/norms/qr/${encodeURIComponent(d.id)}`} target="_blank" rel="noopener">
                    {t('qrLabel')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
