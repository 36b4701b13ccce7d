/**
 * Preventive-maintenance cron expressions, read by croner: five fields, or six with seconds first;
 * names, ranges, steps, `L`, `W` and `#`; day of month and day of week combine with OR (as in Vixie
 * cron). Only croner's search is used, never its timers: the next run is computed from an instant
 * the caller takes from the injected Clock, so schedules replay in virtual time.
 */
import { Cron } from 'croner';

const MODE = '5-or-6-parts';

/** Why `expression` is not a cron expression, or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  try {
    new Cron(expression, { mode: MODE });
    return undefined;
  } catch (err) {
    const message = (err as Error).message.replace(/^CronPattern: /, '');
    return message.charAt(0).toLowerCase() + message.slice(1);
  }
}

/** The run times of one expression in one time zone: `next(t)` is the first run strictly after `t` (epoch ms). */
export interface CronSchedule {
  readonly expression: string;
  next(afterMs: number): number | undefined;
}

export function cronSchedule(expression: string, timeZone: string): CronSchedule {
  // Without a callback croner starts no timer; the instance only searches.
  const cron = new Cron(expression, { mode: MODE, timezone: timeZone });
  return {
    expression,
    next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime(),
  };
}
