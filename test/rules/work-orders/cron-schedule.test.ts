import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronProblem, cronSchedule } from '../../../rules/work-orders/cron-schedule.ts';

const iso = (t: number | undefined): string => new Date(t ?? 0).toISOString();

describe('cronSchedule(expression, timeZone).next(after)', () => {
  it('finds the default schedules in the site time zone, strictly after the given instant', () => {
    const lift = cronSchedule('0 9 1,16 * *', 'Asia/Shanghai');
    expect(iso(lift.next(Date.UTC(2026, 0, 1, 0, 0, 0)))).toBe('2026-01-01T01:00:00.000Z'); // 08:00 in Shanghai → 09:00 the same day
    expect(iso(lift.next(Date.UTC(2026, 0, 1, 1, 0, 0)))).toBe('2026-01-16T01:00:00.000Z'); // exactly at a run → the next one
    expect(iso(cronSchedule('0 9 1 1,4,7,10 *', 'Asia/Shanghai').next(Date.UTC(2026, 0, 1, 2)))).toBe('2026-04-01T01:00:00.000Z');
    expect(iso(cronSchedule('0 10 1 * *', 'UTC').next(Date.UTC(2026, 1, 1, 10)))).toBe('2026-03-01T10:00:00.000Z');
  });

  it('honours seconds, last day of month and nth weekday', () => {
    expect(cronSchedule('*/20 * * * * *', 'UTC').next(Date.UTC(2026, 0, 1, 0, 0, 5))).toBe(Date.UTC(2026, 0, 1, 0, 0, 20));
    expect(iso(cronSchedule('0 0 L * *', 'UTC').next(Date.UTC(2026, 1, 3)))).toBe('2026-02-28T00:00:00.000Z');
    expect(iso(cronSchedule('0 8 * * 1#2', 'UTC').next(Date.UTC(2026, 2, 1)))).toBe('2026-03-09T08:00:00.000Z');
  });

  it('runs a time that falls in a daylight-saving gap at the first valid time after it (Europe/Berlin, 29 March 2026)', () => {
    // 02:30 does not exist on 29 March (clocks go from 02:00 to 03:00 CEST = 01:00 UTC): the run is not skipped to 30 March.
    expect(iso(cronSchedule('30 2 * * *', 'Europe/Berlin').next(Date.UTC(2026, 2, 28, 12)))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(cronSchedule('30 2 * * *', 'Europe/Berlin').next(Date.UTC(2026, 2, 29, 1)))).toBe('2026-03-30T00:30:00.000Z');
  });

  it('property: the result is a run of the expression in that zone and no earlier minute is', () => {
    const exprs = ['*/7 * * * *', '15 */3 * * *', '0 9 * * 1-5', '5,35 8-17 * * *', '0 0 1,15 * *', '45 23 * * 0'];
    fc.assert(
      fc.property(fc.constantFrom(...exprs), fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }), fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York'), (expr, after, tz) => {
        const next = cronSchedule(expr, tz).next(after);
        const oracle = new Cron(expr, { timezone: tz });
        expect(next).toBeGreaterThan(after);
        expect(oracle.match(new Date(next as number))).toBe(true);
        // every minute between is checked; one assertion on the list (an expect per minute cost more than the check)
        const earlier: string[] = [];
        for (let t = Math.floor(after / 60_000) * 60_000 + 60_000; t < (next as number); t += 60_000) if (oracle.match(new Date(t))) earlier.push(iso(t));
        expect(earlier).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('cronProblem', () => {
  it('accepts five or six fields and names what is wrong otherwise', () => {
    expect(cronProblem('0 9 1,16 * *')).toBeUndefined();
    expect(cronProblem('*/20 * * * * *')).toBeUndefined();
    expect(cronProblem('0 61 * * *')).toBe('invalid value for hour: 61');
    expect(cronProblem('0 0 0 1 1 * 2030')).toMatch(/exactly 5 or 6 parts/);
    expect(cronProblem('nope')).toMatch(/five, six, or seven space separated parts/);
  });
});
