import { useEffect, useState } from 'preact/hooks';
import { actorText, alarmJournalText } from '../i18n/journal-text.ts';
import type { HistoryRow } from '../../../gateway/api/contract.ts';
import type { AlarmEventType } from '../../../gateway/api/contract.ts';
import { EVENT_LABEL } from '../alarms/alarm-labels.ts';
import { api } from '../api-client.ts';
import { useApp } from '../app-context.ts';

interface HistoryPage {
  page: number;
  pageSize: number;
  total: number;
  rows: HistoryRow[];
}
const PAGE_SIZE = 50;
const FIELDS = ['from', 'to', 'building', 'floor', 'kind', 'device', 'priority', 'state', 'text'] as const;
type Filters = Record<(typeof FIELDS)[number], string>;

/** Alarm history: search the journal (time, building, floor, kind, device, priority, state, text), page through it, export CSV or XLSX. */
export function AlarmHistoryPage() {
  const { tr } = useApp();
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', building: '', floor: '', kind: '', device: '', priority: '', state: '', text: '' });
  const [result, setResult] = useState<HistoryPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = (): URLSearchParams => {
    const q = new URLSearchParams();
    for (const f of FIELDS) {
      const v = filters[f].trim();
      if (v === '') continue;
      q.set(f, f === 'from' || f === 'to' ? new Date(v).toISOString() : v);
    }
    return q;
  };
  const load = (page = 1): void => {
    const q = query();
    q.set('page', String(page));
    q.set('pageSize', String(PAGE_SIZE));
    api<HistoryPage>(`/api/alarms/journal?${q.toString()}`).then(
      (r) => (setResult(r), setError(null)),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };
  useEffect(() => load(), []);
  const pages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;
  const exportUrl = (format: 'csv' | 'xlsx'): string => {
    const q = query();
    q.set('format', format);
    return `/api/alarms/journal/export?${q.toString()}`;
  };
  return (
    <section class="alarm-history">
      <h2>{tr.t('navAlarmHistory')}</h2>
      <HistoryFilters filters={filters} setFilters={setFilters} onSubmit={() => load()} exportUrl={exportUrl} />
      {error && <p class="error">{error}</p>}
      {result && (
        <>
          <HistoryTable rows={result.rows} />
          <p class="pager" data-testid="history-pager">
            <button type="button" disabled={result.page <= 1} onClick={() => load(result.page - 1)}>
              ‹
            </button>{' '}
            {result.page} / {pages} ({result.total}){' '}
            <button type="button" disabled={result.page >= pages} onClick={() => load(result.page + 1)}>
              ›
            </button>
          </p>
        </>
      )}
    </section>
  );
}

interface HistoryFiltersProps {
  filters: Filters;
  setFilters: (f: Filters) => void;
  onSubmit: () => void;
  exportUrl: (format: 'csv' | 'xlsx') => string;
}

/** The search fields, and the exports of what they select. */
function HistoryFilters({ filters, setFilters, onSubmit, exportUrl }: HistoryFiltersProps) {
  const { tr, site } = useApp();
  const set = (key: keyof Filters) => (e: Event) => setFilters({ ...filters, [key]: (e.target as HTMLInputElement).value });
  const input = (key: keyof Filters, time = false) =>
    time ? (
      <input type="datetime-local" value={filters[key]} data-testid={`history-${key}`} onInput={set(key)} />
    ) : (
      <input type="text" value={filters[key]} data-testid={`history-${key}`} onInput={set(key)} />
    );
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <label>
        {tr.t('kpiFrom')} {input('from', true)}
      </label>
      <label>
        {tr.t('kpiTo')} {input('to', true)}
      </label>
      <label>
        {tr.t('kpiBuilding')}{' '}
        <select value={filters.building} data-testid="history-building" onChange={set('building')}>
          <option value="">{tr.t('kpiAllBuildings')}</option>
          {site.buildings.map((b) => (
            <option value={b.id}>{b.name}</option>
          ))}
        </select>
      </label>
      <label>
        {tr.t('historyFloor')} {input('floor')}
      </label>
      <label>
        {tr.t('historyKind')} {input('kind')}
      </label>
      <label>
        {tr.t('historyDevice')} {input('device')}
      </label>
      <label>
        {tr.t('historyPriority')} {input('priority')}
      </label>
      <label>
        {tr.t('historyState')} {input('state')}
      </label>
      <label>
        {tr.t('historyText')} {input('text')}
      </label>
      <button type="submit">{tr.t('kpiShow')}</button>
      <a href={exportUrl('csv')} data-testid="history-csv" download>
        CSV
      </a>
      <a href={exportUrl('xlsx')} data-testid="history-xlsx" download>
        XLSX
      </a>
    </form>
  );
}

function HistoryTable({ rows }: { rows: readonly HistoryRow[] }) {
  const { tr } = useApp();
  return (
    <table class="journal" data-testid="history-table">
      <thead>
        <tr>
          <th>{tr.t('historyTime')}</th>
          <th>{tr.t('historyAlarm')}</th>
          <th>{tr.t('historyDevice')}</th>
          <th>{tr.t('historyPriority')}</th>
          <th>{tr.t('historyEvent')}</th>
          <th>{tr.t('historyBy')}</th>
          <th>{tr.t('historyText')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.seq}>
            <td>{tr.time(r.at)}</td>
            <td>
              <a href={`#/alarms/${r.alarmId}`}>{r.title}</a>
            </td>
            <td>{`${r.device} · ${r.building}/${r.floor}`}</td>
            <td>P{r.priority}</td>
            <td>{r.type in EVENT_LABEL ? tr.t(EVENT_LABEL[r.type as AlarmEventType]) : r.type}</td>
            <td>{r.by ? actorText(r.by, tr) : ''}</td>
            <td>{alarmJournalText(r, tr)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
