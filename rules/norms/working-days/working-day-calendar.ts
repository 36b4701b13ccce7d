/**
 * The working-day calendar: Monday to Friday are working days, except the configured public
 * holidays; weekend days listed as make-up working days are working days. Days are local calendar
 * days in the site's time zone (a local day may last 23 or 25 hours under DST).
 *
 * Deadlines in working days (a complaint closed within 3 working days) are counted as elapsed
 * working time: from the moment of receipt, only time on working days runs, one working day being
 * one whole local day. Received on Wednesday 10:00 with Thursday and Friday working days, 3 working
 * days end on Monday 10:00; received on a Saturday, counting starts at Monday 00:00 and ends on
 * Wednesday 24:00.
 */
import { localMidnight, localParts, type LocalDate } from '../../../gateway/platform/zoned-time.ts';
import type { YearCalendarInput } from './china-holidays.ts';

export class CalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(text: string, where: string): LocalDate {
  const m = DATE.exec(text.trim());
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
  if (!date || !isRealDate(date)) throw new CalendarError(`${where}: expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, got "${text}"`);
  return date;
}

function isRealDate(d: LocalDate): boolean {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return t.getUTCFullYear() === d.year && t.getUTCMonth() === d.month - 1 && t.getUTCDate() === d.day;
}

export function dateKey(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

function nextDate(d: LocalDate): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Every date of an entry (`2026-10-01` or `2026-10-01..2026-10-07`). */
export function expandDates(entry: string, where: string): LocalDate[] {
  const [a, b, ...rest] = entry.split('..');
  if (rest.length > 0 || a === undefined) throw new CalendarError(`${where}: expected a date or a range, got "${entry}"`);
  const from = parseDate(a, where);
  const to = b === undefined ? from : parseDate(b, where);
  if (dateKey(to) < dateKey(from)) throw new CalendarError(`${where}: range "${entry}" ends before it starts`);
  const out: LocalDate[] = [];
  for (let d = from; dateKey(d) <= dateKey(to); d = nextDate(d)) {
    out.push(d);
    if (out.length > 366) throw new CalendarError(`${where}: range "${entry}" is longer than a year`);
  }
  return out;
}

function weekday(d: LocalDate): number {
  const w = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return w === 0 ? 7 : w;
}

export class WorkingDayCalendar {
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();
  private readonly years: ReadonlySet<number>;
  readonly timeZone: string;

  /** `years`: year → its holidays and make-up days; each date must lie in its year. */
  constructor(years: Readonly<Record<string, YearCalendarInput>>, timeZone: string) {
    this.timeZone = timeZone;
    const known = new Set<number>();
    for (const [year, input] of Object.entries(years)) {
      known.add(Number(year));
      const check = (d: LocalDate, where: string): string => {
        if (String(d.year) !== year) throw new CalendarError(`${where}: ${dateKey(d)} is not in ${year}`);
        return dateKey(d);
      };
      input.holidays.forEach((e, i) => expandDates(e, `years.${year}.holidays[${i}]`).forEach((d) => this.holidays.add(check(d, `years.${year}.holidays[${i}]`))));
      input.workdays.forEach((e, i) =>
        expandDates(e, `years.${year}.workdays[${i}]`).forEach((d) => {
          const key = check(d, `years.${year}.workdays[${i}]`);
          if (this.holidays.has(key)) throw new CalendarError(`years.${year}.workdays[${i}]: ${key} is also listed as a holiday`);
          this.workdays.add(key);
        }),
      );
    }
    this.years = known;
  }

  /** Whether the calendar has holiday data for `year` (without it only weekends are days off). */
  covers(year: number): boolean {
    return this.years.has(year);
  }

  isWorkingDay(d: LocalDate): boolean {
    const key = dateKey(d);
    if (this.workdays.has(key)) return true;
    if (this.holidays.has(key)) return false;
    return weekday(d) <= 5;
  }

  /** Whether the local day holding `epochMs` is a working day. */
  isWorkingAt(epochMs: number): boolean {
    return this.isWorkingDay(localParts(epochMs, this.timeZone));
  }

  /** The instant `days` working days of elapsed working time after `fromMs` (see the file comment). */
  addWorkingDays(fromMs: number, days: number): number {
    if (!(days >= 0) || !Number.isFinite(days)) throw new CalendarError(`days: expected a non-negative number, got ${days}`);
    let remaining = days;
    let cursor = fromMs;
    let date: LocalDate = localParts(fromMs, this.timeZone);
    for (let guard = 0; guard < 3700; guard++) {
      const start = localMidnight(date, this.timeZone);
      const next = nextDate(date);
      const end = localMidnight(next, this.timeZone);
      if (this.isWorkingDay(date)) {
        const length = end - start;
        const available = (end - cursor) / length;
        if (remaining <= available) return cursor + Math.round(remaining * length);
        remaining -= available;
      }
      cursor = end;
      date = next;
    }
    throw new CalendarError(`days: ${days} working days reach past ten years`);
  }

  /** Working days (fractional) of elapsed working time in [fromMs, toMs). */
  workingDaysBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    let total = 0;
    let cursor = fromMs;
    let date: LocalDate = localParts(fromMs, this.timeZone);
    while (cursor < toMs) {
      const start = localMidnight(date, this.timeZone);
      const next = nextDate(date);
      const end = localMidnight(next, this.timeZone);
      if (this.isWorkingDay(date)) total += (Math.min(end, toMs) - cursor) / (end - start);
      cursor = end;
      date = next;
    }
    return total;
  }
}
