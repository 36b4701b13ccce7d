/**
 * Next fire time of a node-cron expression after a given instant, in a time zone, without
 * node-cron's own real-time scheduler: preventive maintenance runs on the injected Clock, so it
 * replays in virtual time. The expression is parsed by node-cron (`parse`) and each candidate is
 * confirmed by node-cron's own matcher (`task.match`), so the semantics are node-cron's.
 */
import cron, { type ScheduledTask } from 'node-cron';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(epochMs: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year ?? 0, month: out.month ?? 0, day: out.day ?? 0, hour: out.hour ?? 0, minute: out.minute ?? 0, second: out.second ?? 0 };
}

/** Epoch ms of a local wall time in `timeZone` (the earlier instant when ambiguous). */
function localToEpoch(p: LocalParts, timeZone: string): number {
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetAt = (t: number): number => {
    const l = localParts(t, timeZone);
    return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - t;
  };
  const first = asUtc - offsetAt(asUtc);
  return asUtc - offsetAt(first);
}

function numbers(values: ReadonlyArray<number | string>): number[] {
  return values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
}

const MAX_DAYS = 366 * 8;

export class CronSchedule {
  readonly expression: string;
  readonly timeZone: string;
  private readonly matcher: ScheduledTask;
  private readonly seconds: number[];
  private readonly minutes: number[];
  private readonly hours: number[];
  private readonly months: Set<number>;

  constructor(expression: string, timeZone: string) {
    this.expression = expression;
    this.timeZone = timeZone;
    const fields = cron.parse(expression);
    this.seconds = numbers(fields.second);
    this.minutes = numbers(fields.minute);
    this.hours = numbers(fields.hour);
    this.months = new Set(numbers(fields.month));
    // A task that is never started holds no timer; only its matcher is used.
    this.matcher = cron.createTask(expression, () => undefined, { timezone: timeZone });
  }

  /** The first matching instant strictly after `afterMs`, or undefined within eight years. */
  next(afterMs: number): number | undefined {
    const start = localParts(afterMs, this.timeZone);
    let day = Date.UTC(start.year, start.month - 1, start.day);
    for (let i = 0; i < MAX_DAYS; i++, day += 86_400_000) {
      const d = new Date(day);
      const year = d.getUTCFullYear();
      const month = d.getUTCMonth() + 1;
      if (!this.months.has(month)) continue;
      const date = d.getUTCDate();
      const [h0, m0, s0] = [this.hours[0] ?? 0, this.minutes[0] ?? 0, this.seconds[0] ?? 0];
      // Day of month / day of week (including L, W, # tokens) decided once per day by node-cron.
      if (!this.matcher.match(new Date(localToEpoch({ year, month, day: date, hour: h0, minute: m0, second: s0 }, this.timeZone)))) continue;
      for (const hour of this.hours) {
        for (const minute of this.minutes) {
          for (const second of this.seconds) {
            const t = localToEpoch({ year, month, day: date, hour, minute, second }, this.timeZone);
            if (t > afterMs && this.matcher.match(new Date(t))) return t;
          }
        }
      }
    }
    return undefined;
  }

  /** Release the matcher task from node-cron's registry. */
  dispose(): void {
    void this.matcher.destroy();
  }
}
