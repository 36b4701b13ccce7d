import { useEffect, useState } from 'preact/hooks';
import { api } from '../api-client.ts';
import { useApp } from '../app-context.ts';

interface AuditEntry {
  id: number;
  at: number;
  username: string;
  role: string | null;
  address: string | null;
  via: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}
interface AuditPage {
  entries: AuditEntry[];
  next: number | null;
}
type Verdict = { ok: true; rows: number } | { ok: false; rows: number; brokenAt: number; reason: string };

/** Admins: the audit log newest first, filtered by user, action and dates, with CSV export and a check of its hash chain. */
export function AuditPage() {
  const { tr } = useApp();
  const [filters, setFilters] = useState({ user: '', action: '', from: '', to: '' });
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);

  const query = (before?: number): string => {
    const q = new URLSearchParams();
    if (filters.user) q.set('user', filters.user);
    if (filters.action) q.set('action', filters.action);
    if (filters.from) q.set('from', new Date(filters.from).toISOString());
    if (filters.to) q.set('to', new Date(`${filters.to}T23:59:59.999`).toISOString());
    if (before !== undefined) q.set('before', String(before));
    return q.toString();
  };
  const load = (before?: number): void =>
    void api<AuditPage>(`/api/audit?${query(before)}`).then((page) => {
      setEntries((prev) => (before === undefined ? page.entries : [...(prev ?? []), ...page.entries]));
      setNext(page.next);
    });
  useEffect(() => load(), []);

  const onInput = (key: keyof typeof filters) => (e: Event) => setFilters({ ...filters, [key]: (e.target as HTMLInputElement).value });
  const field = (key: keyof typeof filters) => <input type="text" value={filters[key]} data-testid={`audit-${key}`} onInput={onInput(key)} />;
  const date = (key: keyof typeof filters) => <input type="date" value={filters[key]} data-testid={`audit-${key}`} onInput={onInput(key)} />;
  return (
    <section class="audit">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          {tr.t('auditUser')} {field('user')}
        </label>
        <label>
          {tr.t('auditAction')} {field('action')}
        </label>
        <label>
          {tr.t('auditFrom')} {date('from')}
        </label>
        <label>
          {tr.t('auditTo')} {date('to')}
        </label>
        <button type="submit">{tr.t('auditFilter')}</button>
        <a class="button" href={`/api/audit/export.csv?${query()}`} data-testid="audit-export">
          {tr.t('auditExport')}
        </a>
        <button type="button" data-testid="audit-verify" onClick={() => void api<Verdict>('/api/audit/verify').then(setVerdict)}>
          {tr.t('auditVerify')}
        </button>
        {verdict ? (
          <span class={verdict.ok ? 'ok' : 'bad'} data-testid="audit-verdict">
            {verdict.ok ? `${tr.t('auditIntact')} (${verdict.rows})` : `${tr.t('auditBroken')} ${verdict.brokenAt}: ${verdict.reason}`}
          </span>
        ) : null}
      </form>
      {entries === null ? (
        <p class="loading">…</p>
      ) : entries.length === 0 ? (
        <p>{tr.t('auditEmpty')}</p>
      ) : (
        <AuditTable entries={entries} />
      )}
      {next !== null ? (
        <button type="button" onClick={() => load(next)}>
          {tr.t('auditMore')}
        </button>
      ) : null}
    </section>
  );
}

function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  const { tr } = useApp();
  return (
    <table data-testid="audit-table">
      <thead>
        <tr>
          <th>{tr.t('auditTime')}</th>
          <th>{tr.t('auditUser')}</th>
          <th>{tr.t('auditRole')}</th>
          <th>{tr.t('auditAddress')}</th>
          <th>{tr.t('auditAction')}</th>
          <th>{tr.t('auditTarget')}</th>
          <th>{tr.t('auditDetail')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr data-id={e.id}>
            <td>{tr.time(e.at)}</td>
            <td>
              {e.username}
              {e.via ? <small> ({e.via})</small> : null}
            </td>
            <td>{e.role ?? ''}</td>
            <td>{e.address ?? ''}</td>
            <td data-data="audit action">{e.action}</td>
            <td>{e.target ?? ''}</td>
            <td>
              <small>{e.detail ? JSON.stringify(e.detail) : ''}</small>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
