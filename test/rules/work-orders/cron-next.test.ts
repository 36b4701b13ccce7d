import fc from 'fast-check';
import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { CronSchedule } from '../../../rules/work-orders/cron-next.ts';

describe('CronSchedule.next', () => {
  it('finds the default schedules in the site time zone', () => {
    const after = Date.UTC(2026, 0, 1, 0, 0, 0); // 08:00 in Shanghai, 1 Jan
    const lift = new CronSchedule('0 9 1,16 * *', 'Asia/Shanghai');
    expect(new Date(lift.next(after) ?? 0).toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(new Date(lift.next(Date.UTC(2026, 0, 1, 1, 0, 0)) ?? 0).toISOString()).toBe('2026-01-16T01:00:00.000Z');
    const pumps = new CronSchedule('0 9 1 1,4,7,10 *', 'Asia/Shanghai');
    expect(new Date(pumps.next(Date.UTC(2026, 0, 1, 2)) ?? 0).toISOString()).toBe('2026-04-01T01:00:00.000Z');
    const fire = new CronSchedule('0 10 1 * *', 'UTC');
    expect(new Date(fire.next(Date.UTC(2026, 1, 1, 10)) ?? 0).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    for (const s of [lift, pumps, fire]) s.dispose();
  });

  it('honours seconds, last day of month and nth weekday', () => {
    const secs = new CronSchedule('*/20 * * * * *', 'UTC');
    expect(secs.next(Date.UTC(2026, 0, 1, 0, 0, 5))).toBe(Date.UTC(2026, 0, 1, 0, 0, 20));
    const last = new CronSchedule('0 0 L * *', 'UTC');
    expect(new Date(last.next(Date.UTC(2026, 1, 3)) ?? 0).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    const secondMonday = new CronSchedule('0 8 * * 1#2', 'UTC');
    expect(new Date(secondMonday.next(Date.UTC(2026, 2, 1)) ?? 0).toISOString()).toBe('2026-03-09T08:00:00.000Z');
    for (const s of [secs, last, secondMonday]) s.dispose();
  });

  it('steps over a daylight-saving gap (Europe/Berlin, 29 March 2026)', () => {
    const s = new CronSchedule('30 2 * * *', 'Europe/Berlin');
    const next = s.next(Date.UTC(2026, 2, 28, 12)) ?? 0;
    // 02:30 does not exist on 29 March; node-cron's matcher never sees it, so the next is 30 March.
    expect(cron.createTask('30 2 * * *', () => undefined, { timezone: 'Europe/Berlin' }).match(new Date(next))).toBe(true);
    expect(next).toBeGreaterThan(Date.UTC(2026, 2, 28, 12));
    s.dispose();
  });

  it('property: the result matches node-cron and no earlier minute does', () => {
    const exprs = ['*/7 * * * *', '15 */3 * * *', '0 9 * * 1-5', '5,35 8-17 * * *', '0 0 1,15 * *', '45 23 * * 0'];
    fc.assert(
      fc.property(fc.constantFrom(...exprs), fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }), fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York'), (expr, after, tz) => {
        const s = new CronSchedule(expr, tz);
        const task = cron.createTask(expr, () => undefined, { timezone: tz });
        const next = s.next(after);
        expect(next).toBeDefined();
        expect(task.match(new Date(next as number))).toBe(true);
        for (let t = Math.floor(after / 60_000) * 60_000 + 60_000; t < (next as number); t += 60_000) expect(task.match(new Date(t))).toBe(false);
        s.dispose();
        void task.destroy();
      }),
      { numRuns: 25 },
    );
  });
});
