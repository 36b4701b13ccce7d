import type { Logger } from 'pino';
import type { Clock } from '../model/clock.ts';

/**
 * Logs a recurring problem at most once per `intervalMs` per key, with the count of repeats that
 * were held back, so a device sending garbage 100 times a second costs one log line per interval.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly intervalMs: number;

  constructor(log: Logger, clock: Clock, intervalMs = 10_000) {
    this.log = log;
    this.clock = clock;
    this.intervalMs = intervalMs;
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.clock.monotonic();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    if (this.last.size > 10_000) this.last.delete(this.last.keys().next().value as string);
    this.log.warn(suppressed > 0 ? { ...fields, suppressedSinceLast: suppressed } : fields, message);
  }
}
