import type { Clock } from '../model/clock.ts';

/**
 * Failed-login throttle per (username, address): after `max` failures within `windowMs` further
 * attempts are refused until the window has passed. A success clears the count.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly clock: Clock;
  private readonly max: number;
  private readonly windowMs: number;

  constructor(clock: Clock, max: number, windowMs: number) {
    this.clock = clock;
    this.max = max;
    this.windowMs = windowMs;
  }

  /** Milliseconds to wait before another attempt is allowed; 0 when allowed now. */
  retryAfter(key: string): number {
    const now = this.clock.monotonic();
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.failures.set(key, recent);
    if (recent.length < this.max) return 0;
    return this.windowMs - (now - (recent[0] as number));
  }

  failed(key: string): void {
    const list = this.failures.get(key) ?? [];
    list.push(this.clock.monotonic());
    this.failures.set(key, list);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
