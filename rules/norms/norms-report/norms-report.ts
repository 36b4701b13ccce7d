/** Gathers a month's inputs from the norms module's sources and computes the report with its 12-month trends. */
import { previousMonth, type YearMonth } from '../../../gateway/platform/monthly-file-job.ts';
import { monthLabel, monthRange } from '../../../gateway/platform/zoned-time.ts';
import type { WorkOrder } from '../../work-orders/index.ts';
import type { ResidentRequest } from '../resident-requests/index.ts';
import type { Round } from '../inspections/index.ts';
import { computeNorms, NORM_IDS, type AvailabilityInput, type NormId, type Targets } from './norms-figures.ts';
import type { NormsReport } from './norms-render.ts';

export interface Range {
  readonly from: number;
  readonly to: number;
}

/** Where the figures come from (the norms service wires them to work orders, requests, rounds and uptime). */
export interface NormsSources {
  availability(range: Range): AvailabilityInput | null;
  /** Work orders created in the range. */
  orders(range: Range): WorkOrder[];
  /** Resident requests created in the range with their orders. */
  requests(range: Range): Array<{ request: ResidentRequest; order: WorkOrder }>;
  /** Scores of ratings given in the range. */
  ratings(range: Range): number[];
  rounds(range: Range): Array<Round & { title: string }>;
  failedItems(range: Range): Array<{ device: string }>;
}

export { previousMonth, type YearMonth };

export function buildNormsReport(
  sources: NormsSources,
  o: { site: NormsReport['site']; targets: Targets; now: number; top: number },
  ym: YearMonth,
): NormsReport {
  const figuresOf = (m: YearMonth): ReturnType<typeof computeNorms> => {
    const range = { ...monthRange(m.year, m.month, o.site.timezone), label: monthLabel(m.year, m.month) };
    return computeNorms(
      {
        range,
        now: o.now,
        availability: sources.availability(range),
        orders: sources.orders(range),
        requests: sources.requests(range),
        ratings: sources.ratings(range),
        rounds: sources.rounds(range),
        failedItems: sources.failedItems(range),
        targets: o.targets,
      },
      o.top,
    );
  };
  const month = figuresOf(ym);
  const months: YearMonth[] = [ym];
  while (months.length < 12) months.unshift(previousMonth(months[0] as YearMonth));
  const trends = months.map((m) => {
    const f = m === ym ? month : figuresOf(m);
    const values = Object.fromEntries(NORM_IDS.map((id) => [id, f.norms.find((n) => n.id === id)?.value ?? null])) as Record<NormId, number | null>;
    return { label: monthLabel(m.year, m.month), values };
  });
  return { site: o.site, generatedAt: o.now, month, trends };
}
