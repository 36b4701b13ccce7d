/**
 * Work orders: open by status, overdue against their response and repair deadlines, and the
 * dispatch outbox (pending, delivered, dead-lettered), read from gateway.db at scrape time.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../model/clock.ts';
import type { WorkOrder, WorkOrderStats, WorkOrderStatus } from '../../rules/work-orders/index.ts';
import { scrapeCounter, scrapeGauge } from './scrape-metric.ts';

export interface WorkOrderMetricSource {
  list(filter: { readonly status: readonly WorkOrderStatus[]; readonly limit: number }): WorkOrder[];
  stats(): WorkOrderStats;
}

/** Not yet answered: the response deadline (respondBy) still runs. */
const AWAITING_RESPONSE: readonly WorkOrderStatus[] = ['open', 'dispatched'];
/** Not yet fixed: the repair deadline (fixBy) still runs. */
const AWAITING_FIX: readonly WorkOrderStatus[] = ['open', 'dispatched', 'acknowledged', 'in_progress'];
const OPEN: readonly WorkOrderStatus[] = [...AWAITING_FIX, 'resolved'];

export function registerWorkOrderMetrics(registry: Registry, orders: WorkOrderMetricSource, clock: Clock): void {
  let open: WorkOrder[] = [];
  let stats: WorkOrderStats | undefined;
  scrapeGauge(registry, 'gateway_work_orders_open', 'Work orders not closed or cancelled, by status', ['status'], () => {
    open = orders.list({ status: OPEN, limit: 1_000_000 });
    stats = orders.stats();
    return OPEN.map((status) => [{ status }, open.filter((o) => o.status === status).length] as const);
  });
  scrapeGauge(registry, 'gateway_work_orders_overdue', 'Open work orders past their deadline: respond (not acknowledged by respondBy) or fix (not resolved by fixBy)', ['deadline'], () => {
    const now = clock.now();
    return [
      [{ deadline: 'respond' }, open.filter((o) => AWAITING_RESPONSE.includes(o.status) && o.respondBy < now).length] as const,
      [{ deadline: 'fix' }, open.filter((o) => AWAITING_FIX.includes(o.status) && o.fixBy < now).length] as const,
    ];
  });
  scrapeGauge(registry, 'gateway_work_order_deliveries', 'Messages in the dispatch outbox by status (pending, delivered, dead, cancelled)', ['status'], () =>
    Object.entries((stats ?? orders.stats()).outbox).map(([status, n]) => [{ status }, n] as const),
  );
  scrapeGauge(registry, 'gateway_work_order_deliveries_dead_lettered', 'Dispatch messages given up after their retries (see GET /api/work-orders/dead-letters)', [], () => [[{}, (stats ?? orders.stats()).outbox.dead ?? 0]]);
  scrapeCounter(registry, 'gateway_work_order_delivery_attempts_total', 'Delivery attempts of the dispatch worker since start, by result', ['result'], () => {
    const w = (stats ?? orders.stats()).worker;
    return [
      [{ result: 'delivered' }, w.delivered ?? 0],
      [{ result: 'failed' }, w.failures ?? 0],
    ];
  });
}
