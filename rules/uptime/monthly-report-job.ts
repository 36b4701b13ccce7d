/**
 * Writes each month's uptime report into <dataDir>/reports/ shortly after the month ends in the
 * site's time zone (`uptime-2026-11.json`, `.csv`, `.zh-CN.html`, `.en.html`). Scheduled on the
 * injected Clock, waking at most every 6 hours to re-check the wall clock (so a timer never
 * exceeds Node's 24.8-day limit and a wall-clock step is noticed). At start the month just ended
 * is written if it is due and missing (and the ledger has records from before its end).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import type { ReportLanguage } from './report-labels.ts';
import { reportCsv, reportHtml } from './report-render.ts';
import type { UptimeReport } from './uptime-report.ts';
import { localMonthOf, monthLabel, monthRange } from '../../gateway/platform/zoned-time.ts';

const MAX_SLEEP = 6 * 3_600_000;
const FILE = /^uptime-(\d{4})-(\d{2})\./;

export interface MonthlyReportJobOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly timeZone: string;
  readonly dir: string;
  /** Delay after local midnight on the 1st. */
  readonly after: number;
  readonly formats: ReadonlyArray<'json' | 'csv' | 'html'>;
  readonly languages: readonly ReportLanguage[];
  readonly build: (range: { from: number; to: number; label: string }) => UptimeReport;
  /** Whether the ledger holds anything before `t` (no report for months before the first record). */
  readonly hasRecordsBefore: (t: number) => boolean;
}

interface YearMonth {
  readonly year: number;
  readonly month: number;
}

const previous = (ym: YearMonth): YearMonth => (ym.month === 1 ? { year: ym.year - 1, month: 12 } : { year: ym.year, month: ym.month - 1 });

export class MonthlyReportJob {
  private readonly o: MonthlyReportJobOptions;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(options: MonthlyReportJobOptions) {
    this.o = options;
  }

  start(): void {
    mkdirSync(this.o.dir, { recursive: true });
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** When the report of `ym` is due: the month's local end plus the configured delay. */
  dueOf(ym: YearMonth): number {
    return monthRange(ym.year, ym.month, this.o.timeZone).to + this.o.after;
  }

  /** Write the report of one month now; returns the files written. */
  generate(ym: YearMonth): string[] {
    const label = monthLabel(ym.year, ym.month);
    const report = this.o.build({ ...monthRange(ym.year, ym.month, this.o.timeZone), label });
    const written: string[] = [];
    const write = (name: string, text: string): void => {
      const file = join(this.o.dir, name);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      written.push(file);
    };
    if (this.o.formats.includes('json')) write(`uptime-${label}.json`, `${JSON.stringify(report, null, 2)}\n`);
    if (this.o.formats.includes('csv')) write(`uptime-${label}.csv`, reportCsv(report));
    if (this.o.formats.includes('html')) for (const lang of this.o.languages) write(`uptime-${label}.${lang}.html`, reportHtml(report, lang));
    return written;
  }

  /** Report files in the directory, oldest first. */
  files(): string[] {
    try {
      return readdirSync(this.o.dir)
        .filter((f) => FILE.test(f) && !f.endsWith('.tmp'))
        .sort();
    } catch {
      return [];
    }
  }

  /** Delete report files of months that ended before `cutoff`. */
  prune(cutoff: number): number {
    let removed = 0;
    for (const f of this.files()) {
      const m = FILE.exec(f);
      if (!m) continue;
      if (monthRange(Number(m[1]), Number(m[2]), this.o.timeZone).to < cutoff) {
        rmSync(join(this.o.dir, f), { force: true });
        removed++;
      }
    }
    return removed;
  }

  private exists(ym: YearMonth): boolean {
    const prefix = `uptime-${monthLabel(ym.year, ym.month)}.`;
    return this.files().some((f) => f.startsWith(prefix));
  }

  private nextMonthDue(): YearMonth {
    const now = this.o.clock.now();
    const current = localMonthOf(now, this.o.timeZone);
    const last = previous(current);
    return now < this.dueOf(last) ? last : current;
  }

  /** Write the month just ended if due and missing (also retries a failed run), then sleep. */
  private wake(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const last = previous(localMonthOf(now, this.o.timeZone));
    const lastEnd = monthRange(last.year, last.month, this.o.timeZone).to;
    if (now >= this.dueOf(last) && !this.exists(last) && this.o.hasRecordsBefore(lastEnd)) this.runSafely(last);
    const wait = this.dueOf(this.nextMonthDue()) - this.o.clock.now();
    this.timer = this.o.clock.setTimer(Math.min(Math.max(1, wait), MAX_SLEEP), () => this.wake());
  }

  private runSafely(ym: YearMonth): void {
    try {
      const files = this.generate(ym);
      this.o.log.info({ month: monthLabel(ym.year, ym.month), files }, 'monthly uptime report written');
    } catch (err) {
      this.o.log.error({ err, month: monthLabel(ym.year, ym.month) }, 'monthly uptime report failed; it will be retried at the next wake-up');
    }
  }
}
