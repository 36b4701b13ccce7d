/**
 * Writes each month's uptime report into <dataDir>/reports/ shortly after the month ends in the
 * site's time zone (`uptime-2026-11.json`, `.csv`, `.zh-CN.html`, `.en.html`), through the shared
 * monthly file job (gateway/platform/monthly-file-job.ts: schedule, catch-up at start, retries).
 * A month gets a report only if the ledger has records from before its end.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import { MonthlyFileJob, type MonthRange } from '../../gateway/platform/monthly-file-job.ts';
import type { ReportLanguage } from './report-labels.ts';
import { reportCsv, reportHtml } from './report-render.ts';
import type { UptimeReport } from './uptime-report.ts';

export interface MonthlyReportJobOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly timeZone: string;
  readonly dir: string;
  /** Delay after local midnight on the 1st. */
  readonly after: number;
  readonly formats: ReadonlyArray<'json' | 'csv' | 'html'>;
  readonly languages: readonly ReportLanguage[];
  readonly build: (range: MonthRange) => UptimeReport;
  /** Whether the ledger holds anything before `t` (no report for months before the first record). */
  readonly hasRecordsBefore: (t: number) => boolean;
}

export class MonthlyReportJob extends MonthlyFileJob {
  constructor(o: MonthlyReportJobOptions) {
    super({
      clock: o.clock,
      log: o.log,
      timeZone: o.timeZone,
      dir: o.dir,
      after: o.after,
      prefix: 'uptime',
      what: 'monthly uptime report',
      covers: o.hasRecordsBefore,
      render: (_ym, range) => {
        const report = o.build(range);
        const files: Array<[string, string]> = [];
        if (o.formats.includes('json')) files.push(['json', `${JSON.stringify(report, null, 2)}\n`]);
        if (o.formats.includes('csv')) files.push(['csv', reportCsv(report)]);
        if (o.formats.includes('html')) for (const lang of o.languages) files.push([`${lang}.html`, reportHtml(report, lang)]);
        return files;
      },
    });
  }
}
