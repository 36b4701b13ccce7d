import { describe, expect, it } from 'vitest';
import { trendPointOf, withLiveSample } from '../../dashboard/src/trend-series.ts';

describe('trend series', () => {
  it('draws numbers as they are, booleans as 0/1, enumerations as their level; nothing for null or an unknown value', () => {
    expect(trendPointOf(1, 21.5, [])).toEqual({ ts: 1, value: 21.5 });
    expect(trendPointOf(2, true, [])).toEqual({ ts: 2, value: 1 });
    expect(trendPointOf(3, false, [])).toEqual({ ts: 3, value: 0 });
    expect(trendPointOf(4, 'moving', ['idle', 'moving', 'stopped'])).toEqual({ ts: 4, value: 1 });
    expect(trendPointOf(5, 'exploded', ['idle', 'moving'])).toBeNull();
    expect(trendPointOf(6, null, [])).toBeNull();
  });

  it('adds a live value newer than the last point; keeps the same series for an older, equal or missing one', () => {
    const history = [
      { ts: 10, value: 1 },
      { ts: 20, value: 2 },
    ];
    expect(withLiveSample(history, { ts: 30, value: 3 })).toEqual([...history, { ts: 30, value: 3 }]);
    expect(withLiveSample(history, { ts: 20, value: 9 })).toBe(history);
    expect(withLiveSample(history, { ts: 15, value: 9 })).toBe(history);
    expect(withLiveSample(history, null)).toBe(history);
    expect(withLiveSample([], { ts: 5, value: 7 })).toEqual([{ ts: 5, value: 7 }]);
  });

  it("keeps the trend's range: points older than the window before the live value are dropped", () => {
    const history = [
      { ts: 0, value: 0 },
      { ts: 1000, value: 1 },
      { ts: 2000, value: 2 },
    ];
    expect(withLiveSample(history, { ts: 3500, value: 3 }, 2000)).toEqual([
      { ts: 2000, value: 2 },
      { ts: 3500, value: 3 },
    ]);
    expect(withLiveSample(history, { ts: 9000, value: 9 }, 2000)).toEqual([{ ts: 9000, value: 9 }]);
    expect(withLiveSample(history, { ts: 2500, value: 5 }, 60_000)).toEqual([...history, { ts: 2500, value: 5 }]);
  });
});
