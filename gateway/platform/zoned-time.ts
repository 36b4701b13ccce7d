/**
 * Calendar arithmetic in the site's time zone with Intl only: local midnights, days, ISO weeks
 * (Monday first) and months as epoch-millisecond ranges [from, to). Handles DST: a local day may
 * last 23 or 25 hours.
 */

export interface LocalDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

export interface LocalParts extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 1 = Monday … 7 = Sunday */
  readonly isoWeekday: number;
}

export interface EpochRange {
  readonly from: number;
  readonly to: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local calendar fields of an instant in `timeZone`. */
export function localParts(epochMs: number, timeZone: string): LocalParts {
  const fields: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') fields[p.type] = Number(p.value);
  }
  const year = fields.year as number;
  const month = fields.month as number;
  const day = fields.day as number;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return {
    year,
    month,
    day,
    hour: fields.hour as number,
    minute: fields.minute as number,
    second: fields.second as number,
    isoWeekday: weekday === 0 ? 7 : weekday,
  };
}

/** Offset of local time from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const p = localParts(epochMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The instant of local midnight starting `date` (month/day may overflow; Date.UTC normalises). */
export function localMidnight(date: LocalDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  // In a DST gap at midnight the local day starts at the first instant after the gap.
  const p = localParts(guess, timeZone);
  if (Date.UTC(p.year, p.month - 1, p.day) < wall) guess = wall - zoneOffsetMs(guess, timeZone);
  return guess;
}

export function dayRange(date: LocalDate, timeZone: string): EpochRange {
  return { from: localMidnight(date, timeZone), to: localMidnight({ ...date, day: date.day + 1 }, timeZone) };
}

/** The ISO week (Monday 00:00 to the next Monday 00:00, local) containing `date`. */
export function weekRange(date: LocalDate, timeZone: string): EpochRange {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  const back = weekday === 0 ? 6 : weekday - 1;
  const monday = { year: date.year, month: date.month, day: date.day - back };
  return { from: localMidnight(monday, timeZone), to: localMidnight({ ...monday, day: monday.day + 7 }, timeZone) };
}

export function monthRange(year: number, month: number, timeZone: string): EpochRange {
  return { from: localMidnight({ year, month, day: 1 }, timeZone), to: localMidnight({ year, month: month + 1, day: 1 }, timeZone) };
}

/** The month (year, month 1..12) that contains `epochMs` locally. */
export function localMonthOf(epochMs: number, timeZone: string): { year: number; month: number } {
  const p = localParts(epochMs, timeZone);
  return { year: p.year, month: p.month };
}

/** `2026-11` */
export function monthLabel(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** Parse `YYYY-MM-DD` strictly (a real calendar date); undefined when it is not one. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** Parse `YYYY-MM`; undefined when it is not a month. */
export function parseLocalMonth(text: string): { year: number; month: number } | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return { year: Number(m[1]), month };
}
