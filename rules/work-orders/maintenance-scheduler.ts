/**
 * Preventive maintenance on the injected Clock: each schedule's next run is computed from its cron
 * expression (croner, site time zone; cron-schedule.ts) and stored, so a restart neither loses nor
 * repeats a run. A run missed while the gateway was down happens once at start-up.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import { cronSchedule, type CronSchedule } from './cron-schedule.ts';
import { DeadlineTimer } from './deadline-timer.ts';
import { transaction } from './work-order-db.ts';
import type { MaintenanceSchedule } from './work-order-schema.ts';

export interface MaintenanceOptions {
  readonly db: DatabaseSync;
  readonly clock: Clock;
  readonly log: Logger;
  readonly schedules: readonly MaintenanceSchedule[];
  readonly timeZone: string;
  /** Create the orders of one run (inside the run's transaction); returns how many devices it covered. */
  readonly run: (schedule: MaintenanceSchedule, at: number) => number;
}

interface ScheduleRow {
  id: string;
  expression: string;
  next_at: number | null;
}

export class MaintenanceScheduler {
  private readonly options: MaintenanceOptions;
  private readonly crons = new Map<string, CronSchedule>();
  private readonly timer: DeadlineTimer;

  constructor(options: MaintenanceOptions) {
    this.options = options;
    this.timer = new DeadlineTimer(options.clock, () => this.tick());
  }

  start(): void {
    const { db, clock, schedules, timeZone } = this.options;
    const now = clock.now();
    for (const s of schedules) {
      const cron = cronSchedule(s.cron, timeZone);
      this.crons.set(s.id, cron);
      const row = db.prepare('SELECT id, expression, next_at FROM maintenance_schedules WHERE id = ?').get(s.id) as ScheduleRow | undefined;
      if (!row || row.expression !== s.cron) {
        db.prepare('INSERT OR REPLACE INTO maintenance_schedules (id, expression, next_at, last_run_at) VALUES (?, ?, ?, NULL)').run(s.id, s.cron, cron.next(now) ?? null);
      }
    }
    this.tick();
  }

  stop(): void {
    this.timer.cancel();
    this.crons.clear();
  }

  /** The stored next run of each schedule (for the API and tests). */
  nextRuns(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const r of this.options.db.prepare('SELECT id, next_at FROM maintenance_schedules').all() as Array<{ id: string; next_at: number | null }>) out[r.id] = r.next_at;
    return out;
  }

  private tick(): void {
    const { db, clock, log, schedules } = this.options;
    const now = clock.now();
    let next: number | undefined;
    for (const s of schedules) {
      const cron = this.crons.get(s.id);
      if (!cron) continue;
      const row = db.prepare('SELECT id, expression, next_at FROM maintenance_schedules WHERE id = ?').get(s.id) as ScheduleRow | undefined;
      let due = row?.next_at ?? undefined;
      if (due !== undefined && due <= now) {
        try {
          const following = cron.next(now);
          const count = transaction(db, () => {
            const n = this.options.run(s, now);
            db.prepare('UPDATE maintenance_schedules SET next_at = ?, last_run_at = ? WHERE id = ?').run(following ?? null, now, s.id);
            return n;
          });
          log.info({ schedule: s.id, devices: count, next: following === undefined ? null : new Date(following).toISOString() }, `maintenance run ${s.id}: ${count} work order(s)`);
          due = following;
        } catch (err) {
          log.error({ err, schedule: s.id }, `maintenance run ${s.id} failed; retrying in 5 min`);
          due = now + 5 * 60_000;
        }
      }
      if (due !== undefined) next = Math.min(next ?? Infinity, due);
    }
    this.timer.armAt(next);
  }
}
