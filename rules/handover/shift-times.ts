/**
 * Shifts in the site's time zone: each configured shift starts at its local time every day and
 * ends where the next one (in time order) starts; the last of the day runs into the next day.
 */
import { localParts, zoneOffsetMs, type LocalDate } from '../../gateway/platform/zoned-time.ts';
import type { ShiftConfig } from '../alarms/index.ts';

export interface ShiftRange {
  readonly id: string;
  readonly name: ShiftConfig['name'];
  /** Local date the shift starts on (YYYY-MM-DD). */
  readonly date: string;
  readonly from: number;
  readonly to: number;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const pad = (n: number): string => String(n).padStart(2, '0');

/** The instant of a local wall-clock time (a time skipped by DST resolves to just after the gap). */
export function localInstant(date: LocalDate, minutes: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  return guess;
}

function sorted(shifts: readonly ShiftConfig[]): ShiftConfig[] {
  return [...shifts].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
}

/** The shift `id` starting on local `date`. */
export function shiftOn(date: LocalDate, id: string, shifts: readonly ShiftConfig[], timeZone: string): ShiftRange | undefined {
  const order = sorted(shifts);
  const i = order.findIndex((s) => s.id === id);
  const shift = order[i];
  if (!shift) return undefined;
  const next = order[i + 1];
  const from = localInstant(date, minutesOf(shift.start), timeZone);
  const to = next
    ? localInstant(date, minutesOf(next.start), timeZone)
    : localInstant({ ...date, day: date.day + 1 }, minutesOf((order[0] as ShiftConfig).start), timeZone);
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day));
  return { id: shift.id, name: shift.name, date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, from, to };
}

/** The shift that contains the instant `at`. */
export function shiftAt(at: number, shifts: readonly ShiftConfig[], timeZone: string): ShiftRange {
  const p = localParts(at, timeZone);
  for (const day of [p.day, p.day - 1]) {
    for (const s of sorted(shifts)) {
      const r = shiftOn({ year: p.year, month: p.month, day }, s.id, shifts, timeZone);
      if (r && r.from <= at && at < r.to) return r;
    }
  }
  throw new Error(`no shift contains ${new Date(at).toISOString()}`);
}

/** The shift before `range` (the one the outgoing operator hands over when `range` begins). */
export function previousShift(range: ShiftRange, shifts: readonly ShiftConfig[], timeZone: string): ShiftRange {
  return shiftAt(range.from - 1, shifts, timeZone);
}
