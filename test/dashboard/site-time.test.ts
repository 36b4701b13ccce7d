import { describe, expect, it } from 'vitest';
import { epochToSiteWallTime, siteWallTimeToEpoch } from '../../dashboard/src/site-time.ts';

describe('date-time inputs in the site time zone', () => {
  it('reads a wall time in the site zone, whatever the browser zone', () => {
    expect(siteWallTimeToEpoch('2026-11-30T18:00', 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 30, 10));
    expect(siteWallTimeToEpoch('2026-07-01T12:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 10, 30));
    expect(siteWallTimeToEpoch('2026-01-01T12:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 1, 11, 30));
    expect(siteWallTimeToEpoch('tomorrow', 'Asia/Shanghai')).toBeNull();
  });
  it('writes an instant as the site wall time, the inverse of reading it', () => {
    expect(epochToSiteWallTime(Date.UTC(2026, 10, 30, 10), 'Asia/Shanghai')).toBe('2026-11-30T18:00');
    const t = Date.UTC(2026, 2, 29, 3, 15); // just after Berlin's spring change
    expect(siteWallTimeToEpoch(epochToSiteWallTime(t, 'Europe/Berlin'), 'Europe/Berlin')).toBe(t);
  });
});
