/**
 * Writes each month's norms report into <dataDir>/reports/ (`norms-2026-10.json`, `.csv`,
 * `.zh-CN.html`, `.en.html`) `after` local midnight on the 1st, and deletes report files of months
 * that ended more than `retentionYears` ago, through the shared monthly file job
 * (gateway/platform/monthly-file-job.ts). A month gets a report only if it ended after the norms
 * module first ran on this data directory.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../gateway/model/clock.ts';
import { MonthlyFileJob, type YearMonth } from '../../../gateway/platform/monthly-file-job.ts';
import { NORMS_LANGUAGES } from './norms-labels.ts';
import { normsCsv, normsHtml, type NormsReport } from './norms-render.ts';

export interface NormsReportJobOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly timeZone: string;
  readonly dir: string;
  readonly after: number;
  readonly retentionYears: number;
  readonly build: (ym: YearMonth) => NormsReport;
  /** When the norms module first ran on this data directory: no report for months that ended before. */
  readonly since: number;
}

export class NormsReportJob extends MonthlyFileJob {
  constructor(o: NormsReportJobOptions) {
    super({
      clock: o.clock,
      log: o.log,
      timeZone: o.timeZone,
      dir: o.dir,
      after: o.after,
      retentionYears: o.retentionYears,
      prefix: 'norms',
      what: 'monthly norms report',
      covers: (end) => end > o.since,
      render: (ym) => {
        const report = o.build(ym);
        return [['json', `${JSON.stringify(report, null, 2)}\n`], ['csv', normsCsv(report)], ...NORMS_LANGUAGES.map((lang) => [`${lang}.html`, normsHtml(report, lang)] as const)];
      },
    });
  }
}
