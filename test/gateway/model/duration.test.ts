import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../gateway/platform/duration.ts';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1d12h', 129_600_000],
    ['1.5s', 1_500],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 's', '30 days', '-5s', '5x', '1h 30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats whole units', () => {
    expect(formatDuration(900_000)).toBe('15m');
    expect(formatDuration(1_500)).toBe('1500ms');
  });
});
