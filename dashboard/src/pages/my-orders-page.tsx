import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { WorkOrderCard } from '../components/work-order-card.tsx';
import { WorkOrderJournal } from '../components/work-order-journal.tsx';
import { CONTRACTOR_ACTIVE, useDeviceNames, useWorkOrders, type WorkOrder, type WorkOrderDetail } from '../work-orders.ts';

const BASE = '/api/contractor/work-orders';

/** The contractor's own orders (the API shows no others), with big buttons for a phone on site. */
export function MyOrdersPage() {
  const { tr, live, site } = useApp();
  const { orders, error, reload } = useWorkOrders(live, BASE);
  const names = useDeviceNames();
  const [showDone, setShowDone] = useState(false);
  if (!orders) return error ? <p class="error">{error}</p> : <p class="loading">…</p>;
  const now = Date.now();
  const active = orders.filter((o) => CONTRACTOR_ACTIVE.includes(o.status)).sort((a, b) => a.priority - b.priority || a.fixBy - b.fixBy);
  const done = orders.filter((o) => !CONTRACTOR_ACTIVE.includes(o.status));
  return (
    <section class="my-orders" data-testid="my-orders">
      <h2>{tr.t('navMyOrders')}</h2>
      {error ? <p class="error">{error}</p> : null}
      {active.length === 0 ? <p class="ok">{tr.t('myOrdersEmpty')}</p> : null}
      {active.map((o) => (
        <WorkOrderCard order={o} deviceName={names.get(o.device ?? '')} site={site} tr={tr} now={now}>
          <ContractorActions order={o} onChanged={reload} />
        </WorkOrderCard>
      ))}
      <details open={showDone} onToggle={(e) => setShowDone((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          {tr.t('finishedOrders')} ({done.length})
        </summary>
        {showDone ? done.map((o) => <WorkOrderCard order={o} deviceName={names.get(o.device ?? '')} site={site} tr={tr} now={now} />) : null}
      </details>
    </section>
  );
}

function ContractorActions({ order, onChanged }: { order: WorkOrder; onChanged: () => void }) {
  const { tr } = useApp();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [journal, setJournal] = useState<WorkOrderDetail | null>(null);
  const [showJournal, setShowJournal] = useState(false);
  const s = order.status;
  const text = note.trim();

  useEffect(() => {
    if (!showJournal) return;
    let alive = true;
    void api<WorkOrderDetail>(`${BASE}/${order.id}`).then((d) => alive && setJournal(d));
    return () => {
      alive = false;
    };
  }, [showJournal, order.id, order.updatedAt]);

  const act = async (path: string, body: Record<string, string>): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      await api(`${BASE}/${order.id}/${path}`, { method: 'POST', body });
      setNote('');
      setMessage({ ok: true, text: tr.t('actionDone') });
      onChanged();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const withNote: Record<string, string> = text ? { note: text } : {};
  return (
    <div class="contractor-actions">
      <textarea rows={3} placeholder={tr.t('resolveNoteHint')} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} data-testid="contractor-note" />
      <div class="big-buttons">
        {s === 'open' || s === 'dispatched' ? (
          <button type="button" class="big primary" disabled={busy} onClick={() => void act('acknowledge', withNote)} data-action="acknowledge">
            {tr.t('acknowledge')}
          </button>
        ) : null}
        {s === 'open' || s === 'dispatched' || s === 'acknowledged' ? (
          <button type="button" class="big" disabled={busy} onClick={() => void act('start', withNote)} data-action="start">
            {tr.t('startWork')}
          </button>
        ) : null}
        {s === 'acknowledged' || s === 'in_progress' ? (
          <button type="button" class="big ok-button" disabled={busy || !text} onClick={() => void act('resolve', { note: text })} data-action="resolve">
            {tr.t('resolve')}
          </button>
        ) : null}
        <button type="button" class="big" disabled={busy || !text} onClick={() => void act('notes', { note: text })} data-action="note">
          {tr.t('addNote')}
        </button>
      </div>
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status">
          {message.text}
        </p>
      ) : null}
      <details onToggle={(e) => setShowJournal((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>{tr.t('journal')}</summary>
        {journal ? <WorkOrderJournal journal={journal.journal} tr={tr} /> : null}
      </details>
    </div>
  );
}
