/**
 * A report written as files once a month: `<prefix>-2026-11.<suffix>` in a directory, `after` the
 * month's local end (site time zone), on the injected Clock. It wakes at most every 6 hours to
 * re-check the wall clock (a timer never exceeds Node's 24.8-day limit and a clock step is
 * noticed); at each wake the month just ended is written if due, missing and covered (so a failed
 * run or a gateway that was off at the due time catches up), and with `retentionYears` the files
 * of months that ended longer ago are deleted. Files are written to `.tmp` and renamed.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../model/clock.ts';
import { localMonthOf, monthLabel, monthRange } from './zoned-time.ts';

const MAX_SLEEP = 6 * 3_600_000;

export interface YearMonth {
  readonly year: number;
  readonly month: number;
}

export const previousMonth = (ym: YearMonth): YearMonth => (ym.month === 1 ? { year: ym.year - 1, month: 12 } : { year: ym.year, month: ym.month - 1 });

export interface MonthRange {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

export interface MonthlyFileJobOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly timeZone: string;
  readonly dir: string;
  /** Delay after local midnight on the 1st. */
  readonly after: number;
  /** File name prefix (`uptime` → `uptime-2026-11.json`). */
  readonly prefix: string;
  /** What the files are, for the log (`monthly uptime report`). */
  readonly what: string;
  /** The files of one month: [suffix after the month label, text]. */
  readonly render: (ym: YearMonth, range: MonthRange) => ReadonlyArray<readonly [string, string]>;
  /** Whether the month that ended at `end` gets a report (e.g. the ledger holds records from before it). */
  readonly covers: (end: number) => boolean;
  /** Delete, at each wake, the files of months that ended more than this many years ago. */
  readonly retentionYears?: number;
}

export class MonthlyFileJob {
  private readonly o: MonthlyFileJobOptions;
  private readonly pattern: RegExp;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(options: MonthlyFileJobOptions) {
    this.o = options;
    this.pattern = new RegExp(`^${options.prefix}-(\\d{4})-(\\d{2})\\.`);
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
    const written: string[] = [];
    for (const [suffix, text] of this.o.render(ym, { ...monthRange(ym.year, ym.month, this.o.timeZone), label })) {
      const file = join(this.o.dir, `${this.o.prefix}-${label}.${suffix}`);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      written.push(file);
    }
    return written;
  }

  /** Report files in the directory, oldest first. */
  files(): string[] {
    try {
      return readdirSync(this.o.dir)
        .filter((f) => this.pattern.test(f) && !f.endsWith('.tmp'))
        .sort();
    } catch {
      return [];
    }
  }

  /** Delete the files of months that ended before `cutoff`; returns how many. */
  prune(cutoff: number): number {
    let removed = 0;
    for (const f of this.files()) {
      const m = this.pattern.exec(f);
      if (m && monthRange(Number(m[1]), Number(m[2]), this.o.timeZone).to < cutoff) {
        rmSync(join(this.o.dir, f), { force: true });
        removed++;
      }
    }
    return removed;
  }

  private exists(ym: YearMonth): boolean {
    const prefix = `${this.o.prefix}-${monthLabel(ym.year, ym.month)}.`;
    return this.files().some((f) => f.startsWith(prefix));
  }

  private wake(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const current = localMonthOf(now, this.o.timeZone);
    const last = previousMonth(current);
    const lastEnd = monthRange(last.year, last.month, this.o.timeZone).to;
    if (now >= this.dueOf(last) && !this.exists(last) && this.o.covers(lastEnd)) this.runSafely(last);
    if (this.o.retentionYears !== undefined) {
      // a month that ended exactly at the start of this month N years ago is past retention
      const removed = this.prune(monthRange(current.year - this.o.retentionYears, current.month, this.o.timeZone).from + 1);
      if (removed > 0) this.o.log.info({ removed }, `${this.o.what} files past retention deleted`);
    }
    const next = now < this.dueOf(last) ? this.dueOf(last) : this.dueOf(current);
    this.timer = this.o.clock.setTimer(Math.min(Math.max(1, next - this.o.clock.now()), MAX_SLEEP), () => this.wake());
  }

  private runSafely(ym: YearMonth): void {
    try {
      const files = this.generate(ym);
      this.o.log.info({ month: monthLabel(ym.year, ym.month), files }, `${this.o.what} written`);
    } catch (err) {
      this.o.log.error({ err, month: monthLabel(ym.year, ym.month) }, `${this.o.what} failed; it will be retried at the next wake-up`);
    }
  }
}
