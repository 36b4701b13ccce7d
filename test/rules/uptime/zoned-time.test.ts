import { describe, expect, it } from 'vitest';
import { dayRange, localMidnight, monthRange, weekRange, zoneOffsetMs } from '../../../gateway/platform/zoned-time.ts';
import { RangeParamError, resolveRange } from '../../../rules/uptime/report-period.ts';

describe('calendar ranges in the site time zone', () => {
  it('Asia/Shanghai months start at local midnight (16:00 UTC the day before)', () => {
    expect(monthRange(2026, 11, 'Asia/Shanghai')).toEqual({ from: Date.UTC(2026, 9, 31, 16), to: Date.UTC(2026, 10, 30, 16) });
    expect(monthRange(2026, 12, 'Asia/Shanghai').to).toBe(Date.UTC(2026, 11, 31, 16));
    expect(zoneOffsetMs(Date.UTC(2026, 5, 1), 'Asia/Shanghai')).toBe(8 * 3_600_000);
  });

  it('a DST month in Europe/London is an hour shorter or longer', () => {
    const march = monthRange(2026, 3, 'Europe/London');
    expect(march.from).toBe(Date.UTC(2026, 2, 1));
    expect(march.to).toBe(Date.UTC(2026, 2, 31, 23)); // April 1st 00:00 BST
    expect(march.to - march.from).toBe(31 * 86_400_000 - 3_600_000);
    const day = dayRange({ year: 2026, month: 10, day: 25 }, 'Europe/London'); // clocks go back
    expect(day.to - day.from).toBe(25 * 3_600_000);
  });

  it('local midnight in a zone whose DST gap is at midnight starts after the gap', () => {
    // America/Santiago sprang forward at 00:00 on 2026-09-06 (00:00 → 01:00)
    const m = localMidnight({ year: 2026, month: 9, day: 6 }, 'America/Santiago');
    const prev = localMidnight({ year: 2026, month: 9, day: 5 }, 'America/Santiago');
    expect(m - prev).toBe(24 * 3_600_000);
    expect(m).toBe(Date.UTC(2026, 8, 6, 4));
  });

  it('weeks run Monday to Monday', () => {
    const w = weekRange({ year: 2026, month: 11, day: 22 }, 'Asia/Shanghai'); // a Sunday
    expect(w.from).toBe(Date.UTC(2026, 10, 15, 16)); // Monday 16 Nov 00:00 +08
    expect(w.to - w.from).toBe(7 * 86_400_000);
  });

  it('resolves report parameters and names the bad one', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    expect(resolveRange({}, 'Asia/Shanghai', now)).toMatchObject({ label: '2026-11' });
    expect(resolveRange({ period: 'day', date: '2026-11-02' }, 'Asia/Shanghai', now)).toEqual({
      from: Date.UTC(2026, 10, 1, 16),
      to: Date.UTC(2026, 10, 2, 16),
      label: '2026-11-02',
    });
    expect(resolveRange({ from: 5, to: 9 }, 'UTC', now)).toMatchObject({ from: 5, to: 9 });
    const bad = (p: Parameters<typeof resolveRange>[0]): string => {
      try {
        resolveRange(p, 'Asia/Shanghai', now);
      } catch (err) {
        if (err instanceof RangeParamError) return err.param;
        throw err;
      }
      throw new Error('expected a RangeParamError');
    };
    expect(bad({ period: 'day', date: '2026-02-30' })).toBe('date');
    expect(bad({ period: 'month', date: '2026-13' })).toBe('date');
    expect(bad({ from: 10, to: 9 })).toBe('from');
    expect(bad({ to: 9 })).toBe('from');
    expect(bad({ period: 'week', from: 1 })).toBe('period');
    expect(bad({ date: '2026-11-01' })).toBe('date');
  });
});
