/**
 * Writes each month's norms report into <dataDir>/reports/ (`norms-2026-10.json`, `.csv`,
 * `.zh-CN.html`, `.en.html`) `after` local midnight on the 1st, on the injected Clock (waking at
 * most every 6 h), and deletes report files of months that ended more than `retentionYears` ago.
 * At start the month just ended is written if it is due and missing (and ended after the module
 * first ran on this data directory).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../../gateway/model/clock.ts';
import { localMonthOf, monthLabel, monthRange } from '../../../gateway/platform/zoned-time.ts';
import { NORMS_LANGUAGES } from './norms-labels.ts';
import { normsCsv, normsHtml, type NormsReport } from './norms-render.ts';
import { previousMonth, type YearMonth } from './norms-report.ts';

const MAX_SLEEP = 6 * 3_600_000;
const FILE = /^norms-(\d{4})-(\d{2})\./;

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

export class NormsReportJob {
  private readonly o: NormsReportJobOptions;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(options: NormsReportJobOptions) {
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

  dueOf(ym: YearMonth): number {
    return monthRange(ym.year, ym.month, this.o.timeZone).to + this.o.after;
  }

  generate(ym: YearMonth): string[] {
    const label = monthLabel(ym.year, ym.month);
    const report = this.o.build(ym);
    const written: string[] = [];
    const write = (name: string, text: string): void => {
      const file = join(this.o.dir, name);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      written.push(file);
    };
    write(`norms-${label}.json`, `${JSON.stringify(report, null, 2)}\n`);
    write(`norms-${label}.csv`, normsCsv(report));
    for (const lang of NORMS_LANGUAGES) write(`norms-${label}.${lang}.html`, normsHtml(report, lang));
    return written;
  }

  files(): string[] {
    try {
      return readdirSync(this.o.dir)
        .filter((f) => FILE.test(f) && !f.endsWith('.tmp'))
        .sort();
    } catch {
      return [];
    }
  }

  prune(): number {
    const now = localMonthOf(this.o.clock.now(), this.o.timeZone);
    const cutoff = monthRange(now.year - this.o.retentionYears, now.month, this.o.timeZone).from;
    let removed = 0;
    for (const f of this.files()) {
      const m = FILE.exec(f);
      if (m && monthRange(Number(m[1]), Number(m[2]), this.o.timeZone).to <= cutoff) {
        rmSync(join(this.o.dir, f), { force: true });
        removed++;
      }
    }
    return removed;
  }

  private wake(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const current = localMonthOf(now, this.o.timeZone);
    const last = previousMonth(current);
    const lastEnd = monthRange(last.year, last.month, this.o.timeZone).to;
    if (now >= this.dueOf(last) && lastEnd > this.o.since && !this.files().some((f) => f.startsWith(`norms-${monthLabel(last.year, last.month)}.`))) {
      try {
        const files = this.generate(last);
        this.o.log.info({ month: monthLabel(last.year, last.month), files }, 'monthly norms report written');
      } catch (err) {
        this.o.log.error({ err, month: monthLabel(last.year, last.month) }, 'monthly norms report failed; retried at the next wake-up');
      }
    }
    const removed = this.prune();
    if (removed > 0) this.o.log.info({ removed }, 'norms report files past retention deleted');
    const next = now < this.dueOf(last) ? this.dueOf(last) : this.dueOf(current);
    this.timer = this.o.clock.setTimer(Math.min(Math.max(1, next - this.o.clock.now()), MAX_SLEEP), () => this.wake());
  }
}
