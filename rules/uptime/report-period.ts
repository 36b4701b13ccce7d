/**
 * Turns report parameters into an epoch range: either `from`/`to`, or a calendar `period`
 * (day, week, month) containing `date`, in the site's time zone. Problems name the parameter.
 */
import { dayRange, localParts, monthLabel, monthRange, parseLocalDate, parseLocalMonth, weekRange, type LocalDate } from '../../gateway/platform/zoned-time.ts';

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

export interface ResolvedRange {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

export class RangeParamError extends Error {
  readonly param: string;
  constructor(param: string, message: string) {
    super(`${param}: ${message}`);
    this.name = 'RangeParamError';
    this.param = param;
  }
}

export interface RangeParams {
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly period?: Period | undefined;
  /** `YYYY-MM-DD` (any period) or `YYYY-MM` (month). Default: today in the site's zone. */
  readonly date?: string | undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function resolveRange(p: RangeParams, timeZone: string, now: number): ResolvedRange {
  if (p.period !== undefined && (p.from !== undefined || p.to !== undefined)) {
    throw new RangeParamError('period', 'give either period (with date) or from/to, not both');
  }
  if (p.period === undefined) {
    if (p.date !== undefined) throw new RangeParamError('date', 'date needs period=day|week|month');
    if (p.from === undefined && p.to === undefined) return resolveRange({ period: 'month' }, timeZone, now);
    if (p.from === undefined) throw new RangeParamError('from', 'from is required with to');
    const to = p.to ?? now;
    if (p.from > to) throw new RangeParamError('from', `must not be after to (${iso(p.from)} > ${iso(to)})`);
    return { from: p.from, to, label: `${iso(p.from)} – ${iso(to)}` };
  }
  const today = localParts(now, timeZone);
  if (p.period === 'month') {
    let ym: { year: number; month: number } | undefined = { year: today.year, month: today.month };
    if (p.date !== undefined) {
      ym = parseLocalMonth(p.date) ?? parseLocalDate(p.date);
      if (!ym) throw new RangeParamError('date', `expected YYYY-MM or YYYY-MM-DD, got "${p.date}"`);
    }
    return { ...monthRange(ym.year, ym.month, timeZone), label: monthLabel(ym.year, ym.month) };
  }
  let date: LocalDate = today;
  if (p.date !== undefined) {
    const parsed = parseLocalDate(p.date);
    if (!parsed) throw new RangeParamError('date', `expected a calendar date YYYY-MM-DD, got "${p.date}"`);
    date = parsed;
  }
  const label = `${monthLabel(date.year, date.month)}-${String(date.day).padStart(2, '0')}`;
  if (p.period === 'day') return { ...dayRange(date, timeZone), label };
  return { ...weekRange(date, timeZone), label: `week of ${label}` };
}
