/** Work orders as the API returns them, and a hook that keeps a list current (live events, polling, reconnect). */
import { useEffect, useState } from 'preact/hooks';
import { api, type DeviceView } from './api-client.ts';
import type { LiveStream } from './live-stream.ts';
import type { WorkOrder, WorkOrderDetail, WorkOrderJournalEntry, WorkOrderStatus } from '../../gateway/api/contract.ts';

export const WORK_ORDER_STATUSES = ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved', 'closed', 'cancelled'] as const satisfies readonly WorkOrderStatus[];
/** Statuses the contractor still has work in. */
export const CONTRACTOR_ACTIVE: readonly WorkOrderStatus[] = ['open', 'dispatched', 'acknowledged', 'in_progress'];

/** The API's shapes (gateway/api/contract.ts, derived from the route schemas). */
export type { WorkOrder, WorkOrderDetail, WorkOrderStatus, WorkOrderJournalEntry as JournalEntry };
/** A photo or signature stored with an order (its image: `.../:id/attachments/:attachment`). */
export type Attachment = WorkOrderDetail['attachments'][number];

/** Respond / fix deadline state: met, breached (recorded by the gateway or past due now), or pending. */
export type DeadlineState = 'met' | 'breached' | 'pending';

export function respondState(o: WorkOrder, now: number): DeadlineState {
  const done = o.acknowledgedAt ?? o.startedAt ?? o.resolvedAt;
  if (o.respondBreachedAt !== null) return 'breached';
  if (done !== null) return done <= o.respondBy ? 'met' : 'breached';
  if (o.status === 'closed' || o.status === 'cancelled') return 'met';
  return now > o.respondBy ? 'breached' : 'pending';
}

export function fixState(o: WorkOrder, now: number): DeadlineState {
  if (o.fixBreachedAt !== null) return 'breached';
  if (o.resolvedAt !== null && (o.status === 'resolved' || o.status === 'closed')) return o.resolvedAt <= o.fixBy ? 'met' : 'breached';
  if (o.status === 'closed' || o.status === 'cancelled') return 'met';
  return now > o.fixBy ? 'breached' : 'pending';
}

export const POLL_MS = 5_000;

/**
 * The orders at `path`, reloaded on every `work-order` live event (and `alarm` events, which may
 * create or recur orders), after a reconnect, and every 5 s in case the gateway pushes no
 * work-order events. `reload` lets an action refresh at once.
 */
export function useWorkOrders(live: LiveStream, path: string): { orders: WorkOrder[] | null; error: string | null; reload: () => void } {
  const [orders, setOrders] = useState<WorkOrder[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    const load = (): void => {
      api<{ workOrders: WorkOrder[] }>(path).then(
        (r) => {
          if (!alive) return;
          setOrders(r.workOrders);
          setError(null);
        },
        (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
      );
    };
    load();
    const timer = window.setInterval(load, POLL_MS);
    // bursts of events (an alarm flood) cost one reload
    let pending: number | undefined;
    const offLive = live.on((topic) => {
      if ((topic !== 'work-order' && topic !== 'alarm') || pending !== undefined) return;
      pending = window.setTimeout(() => {
        pending = undefined;
        load();
      }, 300);
    });
    const offReconnect = live.onReconnect(load);
    return () => {
      alive = false;
      window.clearInterval(timer);
      if (pending !== undefined) window.clearTimeout(pending);
      offLive();
      offReconnect();
    };
  }, [live, path, tick]);
  return { orders, error, reload: () => setTick((t) => t + 1) };
}

/** Device names by id (fetched once; cards show names, not ids). */
export function useDeviceNames(): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let alive = true;
    api<{ devices: DeviceView[] }>('/api/devices').then(
      (r) => alive && setNames(new Map(r.devices.map((d) => [d.id, d.name]))),
      () => undefined, // ids are shown instead
    );
    return () => {
      alive = false;
    };
  }, []);
  return names;
}
