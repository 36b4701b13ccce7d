import { useEffect, useState } from 'preact/hooks';
import { actorText } from '../i18n/journal-text.ts';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { statusLabel, WorkOrderCard } from '../components/work-order-card.tsx';
import { WorkOrderJournal } from '../components/work-order-journal.tsx';
import { WorkOrderAttachments } from '../components/work-order-attachments.tsx';
import { NewWorkOrderForm } from '../components/new-work-order-form.tsx';
import { useDeviceNames, useWorkOrders, type WorkOrder, type WorkOrderDetail, type WorkOrderStatus } from '../work-orders.ts';

const COLUMNS: readonly WorkOrderStatus[] = ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'];
const FINISHED: readonly WorkOrderStatus[] = ['closed', 'cancelled'];
const REASSIGNABLE: readonly WorkOrderStatus[] = ['open', 'dispatched', 'acknowledged', 'in_progress'];
const REOPENABLE: readonly WorkOrderStatus[] = ['resolved', 'closed', 'cancelled'];

function byUrgency(a: WorkOrder, b: WorkOrder): number {
  return a.priority - b.priority || a.createdAt - b.createdAt;
}

/** The operators' board: one column per status, a detail panel with the journal and the actions. */
export function WorkOrdersPage() {
  const { tr, live, site, me } = useApp();
  const { orders, error, reload } = useWorkOrders(live, '/api/work-orders?limit=2000');
  const names = useDeviceNames();
  const [openId, setOpenId] = useState<number | null>(null);
  const [showFinished, setShowFinished] = useState(false);
  const [filter, setFilter] = useState({ building: '', contractor: '', priority: '' });
  const [directory, setDirectory] = useState<string[]>([]);
  useEffect(() => {
    let alive = true;
    api<{ contractors: Array<{ id: string }> }>('/api/work-orders/contractors').then(
      (r) => alive && setDirectory(r.contractors.map((c) => c.id)),
      () => undefined, // the ids known from the orders are offered instead
    );
    return () => {
      alive = false;
    };
  }, []);
  const now = Date.now();
  if (!orders) return error ? <p class="error">{error}</p> : <p class="loading">…</p>;
  const shown = orders.filter(
    (o) =>
      (filter.building === '' || o.location?.building === filter.building) &&
      (filter.contractor === '' || o.contractor === filter.contractor) &&
      (filter.priority === '' || String(o.priority) === filter.priority),
  );
  const finished = shown.filter((o) => FINISHED.includes(o.status));
  // the configured contractors and any others known from the orders, offered when reassigning (the API checks the id)
  const contractors = [...new Set([...directory, ...orders.map((o) => o.contractor).filter((c): c is string => c !== null)])].sort();
  const canAct = me.role === 'operator' || me.role === 'admin';
  return (
    <section class={openId !== null ? 'wo-page panel-open' : 'wo-page'}>
      {error ? <p class="error">{error}</p> : null}
      {canAct ? (
        <NewWorkOrderForm
          contractors={contractors}
          onCreated={(id) => {
            reload();
            setOpenId(id);
          }}
        />
      ) : null}
      <WorkOrderFilters filter={filter} setFilter={setFilter} contractors={contractors} />
      <div class="wo-board" data-testid="wo-board">
        {COLUMNS.map((status) => {
          const here = shown.filter((o) => o.status === status).sort(byUrgency);
          return (
            <div class="wo-column" data-column={status}>
              <h2>
                {statusLabel(tr, status)} <span class="count">{here.length}</span>
              </h2>
              {here.map((o) => (
                <WorkOrderCard order={o} deviceName={names.get(o.device ?? '')} site={site} tr={tr} now={now} selected={o.id === openId} onOpen={() => setOpenId(o.id === openId ? null : o.id)} />
              ))}
            </div>
          );
        })}
      </div>
      <details class="wo-finished" open={showFinished} onToggle={(e) => setShowFinished((e.currentTarget as HTMLDetailsElement).open)} data-testid="wo-finished">
        <summary>
          {tr.t('closedAndCancelled')} ({finished.length})
        </summary>
        {showFinished ? (
          <div class="wo-finished-list">
            {finished.map((o) => (
              <WorkOrderCard order={o} deviceName={names.get(o.device ?? '')} site={site} tr={tr} now={now} selected={o.id === openId} onOpen={() => setOpenId(o.id === openId ? null : o.id)} />
            ))}
          </div>
        ) : null}
      </details>
      {openId !== null ? <OrderPanel names={names} id={openId} contractors={contractors} canAct={canAct} version={orders.find((o) => o.id === openId)?.updatedAt ?? 0} onClose={() => setOpenId(null)} onChanged={reload} /> : null}
    </section>
  );
}

type Filter = { building: string; contractor: string; priority: string };

/** Narrow the board to one building, contractor or priority. */
function WorkOrderFilters({ filter, setFilter, contractors }: { filter: Filter; setFilter: (f: Filter) => void; contractors: readonly string[] }) {
  const { tr, site } = useApp();
  return (
  <div class="toolbar wo-filters">
    <select value={filter.building} onChange={(e) => setFilter({ ...filter, building: (e.target as HTMLSelectElement).value })} aria-label={tr.t('building')} data-testid="wo-filter-building">
      <option value="">{tr.t('allBuildings')}</option>
      {site.buildings.map((b) => (
        <option value={b.id}>{b.name}</option>
      ))}
    </select>
    <select value={filter.contractor} onChange={(e) => setFilter({ ...filter, contractor: (e.target as HTMLSelectElement).value })} aria-label={tr.t('contractor')} data-testid="wo-filter-contractor">
      <option value="">{tr.t('allContractors')}</option>
      {contractors.map((c) => (
        <option value={c}>{c}</option>
      ))}
    </select>
    <select value={filter.priority} onChange={(e) => setFilter({ ...filter, priority: (e.target as HTMLSelectElement).value })} aria-label={tr.t('priority')} data-testid="wo-filter-priority">
      <option value="">{tr.t('allPriorities')}</option>
      {[1, 2, 3, 4].map((p) => (
        <option value={String(p)}>P{p}</option>
      ))}
    </select>
  </div>
  );
}

/** One order: details, journal, and the operator's actions. */
function OrderPanel(props: { names: ReadonlyMap<string, string>; id: number; contractors: string[]; canAct: boolean; version: number; onClose: () => void; onChanged: () => void }) {
  const { tr, site } = useApp();
  const [detail, setDetail] = useState<WorkOrderDetail | null>(null);
  const [text, setText] = useState('');
  const [contractor, setContractor] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let alive = true;
    api<WorkOrderDetail>(`/api/work-orders/${props.id}`).then(
      (d) => alive && setDetail(d),
      (err: unknown) => alive && setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      alive = false;
    };
  }, [props.id, props.version, tick]);

  const act = async (path: string, body: Record<string, unknown>): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      await api(`/api/work-orders/${props.id}/${path}`, { method: 'POST', body });
      setText('');
      setContractor('');
      setMessage({ ok: true, text: tr.t('actionDone') });
      setTick((t) => t + 1);
      props.onChanged();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };

  if (!detail) return <aside class="wo-panel">{message ? <p class="error">{message.text}</p> : '…'}</aside>;
  return (
    <aside class="wo-panel" data-testid="wo-panel" data-order={detail.id}>
      <button type="button" class="wo-panel-close" onClick={props.onClose} aria-label={tr.t('closePanel')}>
        ✕
      </button>
      <WorkOrderCard order={detail} deviceName={props.names.get(detail.device ?? '')} site={site} tr={tr} now={Date.now()} />
      <dl class="wo-facts">
        <dt>{tr.t('source')}</dt>
        <dd>{tr.label(`src_${detail.source}`)}</dd>
        <dt>{tr.t('created')}</dt>
        <dd>
          {tr.time(detail.createdAt)} ({actorText(detail.createdBy, tr)})
        </dd>
        <dt>{tr.t('occurrences')}</dt>
        <dd>{detail.occurrences}</dd>
      </dl>
      {props.canAct ? <OrderActions detail={detail} busy={busy} text={text} setText={setText} contractor={contractor} setContractor={setContractor} contractors={props.contractors} act={act} /> : null}
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status">
          {message.text}
        </p>
      ) : null}
      <WorkOrderAttachments orderId={detail.id} attachments={detail.attachments} base="/api/work-orders" tr={tr} />
      <h3>{tr.t('journal')}</h3>
      <WorkOrderJournal journal={detail.journal} tr={tr} />
    </aside>
  );
}

interface OrderActionsProps {
  detail: WorkOrderDetail;
  busy: boolean;
  text: string;
  setText: (t: string) => void;
  contractor: string;
  setContractor: (c: string) => void;
  contractors: readonly string[];
  act: (path: string, body: Record<string, unknown>) => Promise<void>;
}

/** The operator's actions on one order: close, note, cancel, reopen, reassign. */
function OrderActions({ detail, busy, text, setText, contractor, setContractor, contractors, act }: OrderActionsProps) {
  const { tr, me } = useApp();
  const s = detail.status;
  const note = text.trim();
  const withNote: Record<string, string> = note ? { note } : {};
  return (
    <div class="wo-actions">
      <textarea placeholder={`${tr.t('note')} / ${tr.t('reasonHint')}`} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} data-testid="wo-text" rows={2} />
      <div class="wo-buttons">
        {s === 'resolved' ? (
          <button type="button" class="primary" disabled={busy} onClick={() => void act('close', withNote)} data-action="close">
            {tr.t('verifyClose')}
          </button>
        ) : null}
        {s === 'resolved' && detail.alarmActive && me.role === 'admin' ? (
          <button type="button" class="danger" disabled={busy || !note} onClick={() => void act('close', { override: { reason: note } })} data-action="close-override">
            {tr.t('closeOverride')}
          </button>
        ) : null}
        <button type="button" disabled={busy || !note} onClick={() => void act('notes', { note })} data-action="note">
          {tr.t('addNote')}
        </button>
        {s !== 'closed' && s !== 'cancelled' ? (
          <button type="button" class="danger" disabled={busy || !note} onClick={() => void act('cancel', { reason: note })} data-action="cancel">
            {tr.t('cancelOrder')}
          </button>
        ) : null}
        {REOPENABLE.includes(s) ? (
          <button type="button" disabled={busy || !note} onClick={() => void act('reopen', { reason: note })} data-action="reopen">
            {tr.t('reopen')}
          </button>
        ) : null}
      </div>
      {REASSIGNABLE.includes(s) ? (
        <div class="wo-reassign">
          <label>
            {tr.t('reassignTo')}{' '}
            <input list="wo-contractors" value={contractor} onInput={(e) => setContractor((e.target as HTMLInputElement).value)} data-testid="wo-contractor" />
          </label>
          <datalist id="wo-contractors">
            {contractors.map((c) => (
              <option value={c} />
            ))}
          </datalist>
          <button type="button" disabled={busy || !contractor.trim() || contractor.trim() === detail.contractor} onClick={() => void act('reassign', { contractor: contractor.trim(), ...withNote })} data-action="reassign">
            {tr.t('reassign')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
