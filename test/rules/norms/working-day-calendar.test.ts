import { describe, expect, it } from 'vitest';
import { CalendarError, SHIPPED_YEARS, WorkingDayCalendar } from '../../../rules/norms/working-days/index.ts';

const TZ = 'Asia/Shanghai';
/** Epoch ms of a Shanghai wall time (UTC+8, no DST). */
const sh = (iso: string): number => Date.parse(`${iso}+08:00`);
const cal = new WorkingDayCalendar(SHIPPED_YEARS, TZ);
const d = (s: string): { year: number; month: number; day: number } => {
  const [y, m, day] = s.split('-').map(Number) as [number, number, number];
  return { year: y, month: m, day };
};

describe('working-day calendar (China 2026)', () => {
  it('National Day: Oct 1-7 off, Sunday Sep 20 and Saturday Oct 10 are make-up working days', () => {
    for (let day = 1; day <= 7; day++) expect(cal.isWorkingDay({ year: 2026, month: 10, day })).toBe(false);
    expect(cal.isWorkingDay(d('2026-09-20'))).toBe(true); // Sunday
    expect(cal.isWorkingDay(d('2026-10-10'))).toBe(true); // Saturday
    expect(cal.isWorkingDay(d('2026-10-11'))).toBe(false); // ordinary Sunday
    expect(cal.isWorkingDay(d('2026-10-08'))).toBe(true); // Thursday after the holiday
    expect(cal.isWorkingDay(d('2026-09-30'))).toBe(true);
  });

  it('other 2026 holidays and weekends', () => {
    expect(cal.isWorkingDay(d('2026-01-01'))).toBe(false);
    expect(cal.isWorkingDay(d('2026-01-04'))).toBe(true); // Sunday make-up day
    expect(cal.isWorkingDay(d('2026-02-16'))).toBe(false); // Spring Festival (Monday)
    expect(cal.isWorkingDay(d('2026-02-14'))).toBe(true); // Saturday make-up day
    expect(cal.isWorkingDay(d('2026-05-09'))).toBe(true);
    expect(cal.isWorkingDay(d('2026-11-28'))).toBe(false); // Saturday
    expect(cal.isWorkingDay(d('2026-11-30'))).toBe(true); // Monday
  });

  it('counts the day in the site time zone, not in UTC', () => {
    // 2026-10-07 23:30 in Shanghai is 15:30 UTC on Oct 7; 2026-10-08 00:30 Shanghai is Oct 7 16:30 UTC
    expect(cal.isWorkingAt(sh('2026-10-07T23:30:00'))).toBe(false);
    expect(cal.isWorkingAt(sh('2026-10-08T00:30:00'))).toBe(true);
    const utc = new WorkingDayCalendar(SHIPPED_YEARS, 'UTC');
    expect(utc.isWorkingAt(sh('2026-10-08T00:30:00'))).toBe(false); // still Oct 7 in UTC
  });

  it('3 working days across National Day: Sep 30 10:00 → Oct 10 (make-up Saturday) 10:00', () => {
    // Sep 30 (Wed) 10:00 → Oct 8 (Thu) 10:00 is one working day (Oct 1-7 off), Oct 9 10:00 two, Oct 10 10:00 three
    expect(cal.addWorkingDays(sh('2026-09-30T10:00:00'), 3)).toBe(sh('2026-10-10T10:00:00'));
    expect(cal.workingDaysBetween(sh('2026-09-30T10:00:00'), sh('2026-10-10T10:00:00'))).toBeCloseTo(3, 9);
    expect(cal.workingDaysBetween(sh('2026-09-30T10:00:00'), sh('2026-10-08T10:00:00'))).toBeCloseTo(1, 9);
  });

  it('received on a holiday, counting starts on the next working day; make-up Saturday counts', () => {
    // Oct 3 (holiday) → Oct 8, 9 and 10 (make-up Saturday) → end of Oct 10
    expect(cal.addWorkingDays(sh('2026-10-03T15:00:00'), 3)).toBe(sh('2026-10-11T00:00:00'));
    // an ordinary week: Wed 10:00 → Mon 10:00 (Sat, Sun skipped)
    expect(cal.addWorkingDays(sh('2026-11-25T10:00:00'), 3)).toBe(sh('2026-11-30T10:00:00'));
  });

  it('a site year replaces the shipped one; bad dates are named with their path', () => {
    const custom = new WorkingDayCalendar({ ...SHIPPED_YEARS, '2027': { holidays: ['2027-01-01'], workdays: [] } }, TZ);
    expect(custom.covers(2027)).toBe(true);
    expect(custom.isWorkingDay(d('2027-01-01'))).toBe(false);
    expect(() => new WorkingDayCalendar({ '2026': { holidays: ['2026-02-30'], workdays: [] } }, TZ)).toThrow(/years\.2026\.holidays\[0\].*2026-02-30/);
    expect(() => new WorkingDayCalendar({ '2026': { holidays: ['2027-01-01'], workdays: [] } }, TZ)).toThrow(CalendarError);
    expect(() => new WorkingDayCalendar({ '2026': { holidays: ['2026-10-01'], workdays: ['2026-10-01'] } }, TZ)).toThrow(/also listed as a holiday/);
  });
});
