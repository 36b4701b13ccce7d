/** The monthly norms report files: written after the 1st on the Clock, never for months before the first start, kept 5 years. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { DEFAULT_TARGETS, NormsReportJob, buildNormsReport, type NormsSources } from '../../../rules/norms/norms-report/index.ts';
import { tempDir } from '../../support/temp-dir.ts';

const TZ = 'Asia/Shanghai';
const sh = (iso: string): number => Date.parse(`${iso}+08:00`);
const EMPTY: NormsSources = { availability: () => null, orders: () => [], requests: () => [], ratings: () => [], rounds: () => [], failedItems: () => [] };

describe('norms report job', () => {
  let dir: { path: string; cleanup: () => void };
  let job: NormsReportJob | undefined;
  beforeEach(() => {
    dir = tempDir('norms-job-');
  });
  afterEach(() => {
    job?.stop();
    dir.cleanup();
  });

  it('writes the month after the 1st plus the delay, deletes files older than 5 years, and none for months before the first start', () => {
    const clock = new VirtualClock(sh('2026-03-20T12:00:00'));
    const reports = join(dir.path, 'reports');
    mkdirSync(reports, { recursive: true });
    for (const name of ['norms-2021-02.json', 'norms-2021-03.json', 'norms-2021-04.csv']) writeFileSync(join(reports, name), '{}');
    const site = { id: 's', name: 'S', timezone: TZ };
    job = new NormsReportJob({
      clock,
      log: silentLogger(),
      timeZone: TZ,
      dir: reports,
      after: 15 * 60_000,
      retentionYears: 5,
      since: sh('2026-03-20T12:00:00'),
      build: (ym) => buildNormsReport(EMPTY, { site, targets: DEFAULT_TARGETS, now: clock.now(), top: 5 }, ym),
    });
    job.start();
    // February 2021 ended more than 5 years ago: gone; March 2021 ended on 1 April 2021: kept until then;
    // nothing written for February 2026 (before the first start)
    expect(readdirSync(reports).sort()).toEqual(['norms-2021-03.json', 'norms-2021-04.csv']);
    clock.advance(sh('2026-04-01T00:14:00') - clock.now());
    expect(readdirSync(reports).some((f) => f.startsWith('norms-2026-03'))).toBe(false);
    clock.advance(2 * 60_000);
    expect(readdirSync(reports).filter((f) => f.startsWith('norms-2026-03')).sort()).toEqual(['norms-2026-03.csv', 'norms-2026-03.en.html', 'norms-2026-03.json', 'norms-2026-03.zh-CN.html']);
    expect(readdirSync(reports).filter((f) => f.startsWith('norms-2021'))).toEqual(['norms-2021-04.csv']); // March 2021 now past 5 years
  });
});
