/**
 * KPIs per contractor or trade over a period (orders created in [from, to)): response time
 * (creation → acknowledgement), time to fix (creation → resolution), SLA compliance and the open
 * backlog now.
 */
import type { WorkOrder, WorkOrderStatus } from './work-order.ts';

/** Waiting on the contractor (a resolved order waits on the operator). */
const BACKLOG: readonly WorkOrderStatus[] = ['open', 'dispatched', 'acknowledged', 'in_progress'];

export type KpiGroupBy = 'contractor' | 'trade';

export interface DurationStats {
  readonly count: number;
  readonly meanMs: number | null;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly maxMs: number | null;
}

export interface KpiRow {
  readonly key: string;
  readonly created: number;
  readonly responseTime: DurationStats;
  readonly timeToFix: DurationStats;
  /** Orders whose deadlines are met or past (the rest are still in time and not judged). */
  readonly judged: number;
  readonly compliant: number;
  /** compliant / judged × 100, null when nothing is judged yet. */
  readonly slaCompliancePct: number | null;
  readonly respondBreaches: number;
  readonly fixBreaches: number;
  /** Orders of this group open now (any creation date). */
  readonly openBacklog: number;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null;
}

function stats(values: number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    meanMs: sorted.length ? Math.round(sorted.reduce((s, v) => s + v, 0) / sorted.length) : null,
    p50Ms: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    maxMs: sorted.length ? (sorted[sorted.length - 1] ?? null) : null,
  };
}

function keyOf(o: WorkOrder, by: KpiGroupBy): string {
  return by === 'contractor' ? (o.contractor ?? '(unassigned)') : o.trade;
}

/** `inPeriod`: orders created in the period; `open`: every order open now. */
export function computeKpis(inPeriod: readonly WorkOrder[], open: readonly WorkOrder[], by: KpiGroupBy, now: number): KpiRow[] {
  const keys = new Set<string>([...inPeriod.map((o) => keyOf(o, by)), ...open.map((o) => keyOf(o, by))]);
  const rows: KpiRow[] = [];
  for (const key of [...keys].sort()) {
    const orders = inPeriod.filter((o) => keyOf(o, by) === key && o.status !== 'cancelled');
    const response: number[] = [];
    const fix: number[] = [];
    let judged = 0;
    let compliant = 0;
    for (const o of orders) {
      if (o.acknowledgedAt !== null) response.push(o.acknowledgedAt - o.createdAt);
      if (o.resolvedAt !== null) fix.push(o.resolvedAt - o.createdAt);
      const respondOk = o.acknowledgedAt !== null && o.acknowledgedAt <= o.respondBy && o.respondBreachedAt === null;
      const fixOk = o.resolvedAt !== null && o.resolvedAt <= o.fixBy && o.fixBreachedAt === null;
      const respondJudged = o.acknowledgedAt !== null || now >= o.respondBy || o.respondBreachedAt !== null;
      const fixJudged = o.resolvedAt !== null || now >= o.fixBy || o.fixBreachedAt !== null;
      const breached = (respondJudged && !respondOk) || (fixJudged && !fixOk);
      if (breached) judged++;
      else if (respondOk && fixOk) {
        judged++;
        compliant++;
      }
    }
    rows.push({
      key,
      created: orders.length,
      responseTime: stats(response),
      timeToFix: stats(fix),
      judged,
      compliant,
      slaCompliancePct: judged ? Math.round((compliant / judged) * 1000) / 10 : null,
      respondBreaches: orders.filter((o) => o.respondBreachedAt !== null).length,
      fixBreaches: orders.filter((o) => o.fixBreachedAt !== null).length,
      openBacklog: open.filter((o) => keyOf(o, by) === key && BACKLOG.includes(o.status)).length,
    });
  }
  return rows;
}
