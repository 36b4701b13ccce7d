import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError, type ApiCallErrorCode } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import type { Translator } from '../i18n/i18n.ts';
import { WorkOrderAttachments } from '../components/work-order-attachments.tsx';
import { WorkOrderCard } from '../components/work-order-card.tsx';
import { WorkOrderJournal } from '../components/work-order-journal.tsx';
import { ContactLinks } from '../contractor/contact-links.tsx';
import { DeadlineCountdown } from '../contractor/deadline-countdown.tsx';
import { enqueue, flush, isNetworkFailure, queued, type QueuedAction } from '../contractor/offline-queue.ts';
import { blobToDataUrl, dataUrlToBlob, NotAnImageError, resizePhoto } from '../contractor/photo-resize.ts';
import { SignaturePad } from '../contractor/signature-pad.tsx';
import { CONTRACTOR_ACTIVE, useWorkOrders, type WorkOrder, type WorkOrderDetail } from '../work-orders.ts';

const BASE = '/api/contractor/work-orders';

interface ContractorDevice {
  id: string;
  name: string;
  kind: string;
  location: { building: string; floor: string };
}

/** Names of the devices of the contractor's own orders (GET /api/contractor/devices: no telemetry). */
function useContractorDevices(orders: readonly WorkOrder[] | null): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const ids = (orders ?? []).map((o) => o.device ?? '').sort().join(',');
  useEffect(() => {
    let alive = true;
    api<{ devices: ContractorDevice[] }>('/api/contractor/devices').then(
      (r) => alive && setNames(new Map(r.devices.map((d) => [d.id, d.name]))),
      () => undefined, // ids are shown instead
    );
    return () => {
      alive = false;
    };
  }, [ids]);
  return names;
}

/** Now, every 30 s (the countdowns' minute resolution). */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(t);
  }, []);
  return now;
}

/** Send one queued action as it would have been sent online. */
async function sendQueued(a: QueuedAction): Promise<void> {
  if (a.path === 'photos') {
    await uploadPhoto(a.orderId, await dataUrlToBlob(a.body.photo ?? ''));
    return;
  }
  await api(`${BASE}/${a.orderId}/${a.path}`, { method: 'POST', body: a.body });
}

async function uploadPhoto(orderId: number, photo: Blob): Promise<void> {
  const res = await fetch(`${BASE}/${orderId}/photos`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': photo.type || 'image/jpeg' }, body: photo });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { code?: ApiCallErrorCode; message?: string } } | undefined;
    throw new ApiCallError(res.status, body?.error?.code ?? 'HTTP', body?.error?.message ?? `${res.status}`);
  }
}

/** Actions taken offline, sent when the connection returns; how many wait, and what was refused. */
function useOfflineQueue(onSent: () => void): { waiting: number; online: boolean; refused: string | null } {
  const [waiting, setWaiting] = useState(queued().length);
  const [online, setOnline] = useState(navigator.onLine);
  const [refused, setRefused] = useState<string | null>(null);
  useEffect(() => {
    const count = (): void => setWaiting(queued().length);
    const send = (): void => {
      setOnline(navigator.onLine);
      if (!navigator.onLine || queued().length === 0) return;
      void flush(sendQueued, (a, err) => setRefused(`#${a.orderId} ${a.path}: ${err instanceof Error ? err.message : String(err)}`)).then((n) => {
        count();
        if (n > 0) onSent();
      });
    };
    const offline = (): void => setOnline(false);
    window.addEventListener('online', send);
    window.addEventListener('offline', offline);
    window.addEventListener('fgw-queue', count);
    send();
    const t = window.setInterval(send, 15_000);
    return () => {
      window.removeEventListener('online', send);
      window.removeEventListener('offline', offline);
      window.removeEventListener('fgw-queue', count);
      window.clearInterval(t);
    };
  }, []);
  return { waiting, online, refused };
}

/** The contractor's own orders (the API shows no others), with big buttons for a phone on site. */
export function MyOrdersPage() {
  const { tr, live, site } = useApp();
  const { orders, error, reload } = useWorkOrders(live, BASE);
  const names = useContractorDevices(orders);
  const now = useNow();
  const queue = useOfflineQueue(reload);
  const [showDone, setShowDone] = useState(false);
  if (!orders) return error ? <p class="error">{error}</p> : <p class="loading">…</p>;
  const active = orders.filter((o) => CONTRACTOR_ACTIVE.includes(o.status)).sort((a, b) => a.priority - b.priority || a.fixBy - b.fixBy);
  const done = orders.filter((o) => !CONTRACTOR_ACTIVE.includes(o.status));
  return (
    <section class="my-orders" data-testid="my-orders">
      <h2>{tr.t('navMyOrders')}</h2>
      {!queue.online ? (
        <p class="offline-banner" role="status" data-testid="offline-banner">
          {tr.t('offlineBanner')}
        </p>
      ) : error ? (
        <p class="error">{error}</p>
      ) : null}
      {queue.waiting > 0 ? (
        <p class="queued" role="status" data-testid="queued">
          {queue.waiting} {tr.t('queuedCount')}
        </p>
      ) : null}
      {queue.refused ? (
        <p class="error" role="alert">
          {tr.t('queueRefused')}: {queue.refused}
        </p>
      ) : null}
      {active.length === 0 ? <p class="ok">{tr.t('myOrdersEmpty')}</p> : null}
      {active.map((o) => (
        <WorkOrderCard key={o.id} order={o} deviceName={names.get(o.device ?? '')} site={site} tr={tr} now={now}>
          <DeadlineCountdown label={o.acknowledgedAt === null ? tr.t('respondBy') : tr.t('fixBy')} at={o.acknowledgedAt === null ? o.respondBy : o.fixBy} now={now} tr={tr} />
          <ContactLinks site={site} building={o.location?.building} tr={tr} />
          <ContractorActions key={o.id} order={o} onChanged={reload} />
        </WorkOrderCard>
      ))}
      <details open={showDone} onToggle={(e) => setShowDone((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          {tr.t('finishedOrders')} ({done.length})
        </summary>
        {showDone ? done.map((o) => <WorkOrderCard key={o.id} order={o} deviceName={names.get(o.device ?? '')} site={site} tr={tr} now={now} />) : null}
      </details>
    </section>
  );
}

function ContractorActions({ order, onChanged }: { order: WorkOrder; onChanged: () => void }) {
  const { tr } = useApp();
  const [note, setNote] = useState('');
  const [signature, setSignature] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [photos, setPhotos] = useState(0);
  const detail = useOrderDetail(order, photos);
  const [showJournal, setShowJournal] = useState(false);
  const s = order.status;
  const text = note.trim();
  const canResolve = s === 'acknowledged' || s === 'in_progress';

  const fail = (err: unknown): void => setMessage({ ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) });

  const act = async (path: string, body: Record<string, string>): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      await api(`${BASE}/${order.id}/${path}`, { method: 'POST', body });
      setNote('');
      setMessage({ ok: true, text: tr.t('actionDone') });
      onChanged();
    } catch (err) {
      if (isNetworkFailure(err)) {
        enqueue({ orderId: order.id, path, body });
        setNote('');
        setMessage({ ok: true, text: tr.t('actionQueued') });
      } else fail(err);
    } finally {
      setBusy(false);
    }
  };

  const addPhoto = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setMessage(null);
    const result = await sendPhoto(order.id, file, tr);
    setMessage(result);
    if (result.stored) {
      onChanged();
      setPhotos((n) => n + 1);
    }
    setBusy(false);
  };

  const withNote: Record<string, string> = text ? { note: text } : {};
  return (
    <div class="contractor-actions">
      <textarea rows={3} placeholder={tr.t('resolveNoteHint')} aria-label={tr.t('resolveNoteHint')} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} data-testid="contractor-note" />
      <label class="photo-pick big-link">
        {tr.t('addPhoto')}
        <input type="file" accept="image/*" capture="environment" disabled={busy} onChange={(e) => void addPhoto((e.currentTarget as HTMLInputElement).files?.[0])} data-testid="photo-input" />
      </label>
      {canResolve ? <SignaturePad tr={tr} onChange={setSignature} /> : null}
      <ActionButtons status={s} busy={busy} hasNote={text !== ''} onAct={(path, withSignature) => void act(path, path === 'notes' || path === 'resolve' ? { note: text, ...(withSignature && signature ? { signature } : {}) } : withNote)} />
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status" data-testid="action-message">
          {message.text}
        </p>
      ) : null}
      {detail ? <WorkOrderAttachments orderId={order.id} attachments={detail.attachments} base={BASE} tr={tr} /> : null}
      <details onToggle={(e) => setShowJournal((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>{tr.t('journal')}</summary>
        {detail && showJournal ? <WorkOrderJournal journal={detail.journal} tr={tr} /> : null}
      </details>
    </div>
  );
}

/** The order with its journal and attachments, reloaded when it changes or a photo was added (offline: null). */
function useOrderDetail(order: WorkOrder, photos: number): WorkOrderDetail | null {
  const [detail, setDetail] = useState<WorkOrderDetail | null>(null);
  useEffect(() => {
    let alive = true;
    void api<WorkOrderDetail>(`${BASE}/${order.id}`).then(
      (d) => alive && setDetail(d),
      () => undefined, // offline: the card still shows the order
    );
    return () => {
      alive = false;
    };
  }, [order.id, order.updatedAt, photos]);
  return detail;
}

/** Shrink and upload a photo; without a connection it waits in the queue. The message says which. */
async function sendPhoto(orderId: number, file: File, tr: Translator): Promise<{ ok: boolean; text: string; stored?: boolean }> {
  let photo: Blob;
  try {
    photo = await resizePhoto(file);
  } catch (err) {
    return { ok: false, text: err instanceof NotAnImageError ? tr.t('photoNotImage') : String(err) };
  }
  try {
    await uploadPhoto(orderId, photo);
    return { ok: true, text: tr.t('photoUploaded'), stored: true };
  } catch (err) {
    if (!isNetworkFailure(err)) return { ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) };
    enqueue({ orderId, path: 'photos', body: { photo: await blobToDataUrl(photo) } });
    return { ok: true, text: tr.t('photoQueued') };
  }
}

/** The big buttons of the order's next steps (resolve and note need the note's text). */
function ActionButtons({ status: s, busy, hasNote, onAct }: { status: WorkOrder['status']; busy: boolean; hasNote: boolean; onAct: (path: string, withSignature?: boolean) => void }) {
  const { tr } = useApp();
  return (
      <div class="big-buttons">
        {s === 'open' || s === 'dispatched' ? (
          <button type="button" class="big primary" disabled={busy} onClick={() => onAct('acknowledge')} data-action="acknowledge">
            {tr.t('acknowledge')}
          </button>
        ) : null}
        {s === 'open' || s === 'dispatched' || s === 'acknowledged' ? (
          <button type="button" class="big" disabled={busy} onClick={() => onAct('start')} data-action="start">
            {tr.t('startWork')}
          </button>
        ) : null}
        {s === 'acknowledged' || s === 'in_progress' ? (
          <button type="button" class="big ok-button" disabled={busy || !hasNote} onClick={() => onAct('resolve', true)} data-action="resolve">
            {tr.t('resolve')}
          </button>
        ) : null}
        <button type="button" class="big" disabled={busy || !hasNote} onClick={() => onAct('notes')} data-action="note">
          {tr.t('addNote')}
        </button>
      </div>
  );
}
