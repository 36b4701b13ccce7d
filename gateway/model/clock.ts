/**
 * Every behavioural timer (polls, rule delays, SLA deadlines, offline detection) reads a Clock,
 * so a month of operation can replay in seconds on a VirtualClock.
 *
 * `now()` is wall time in epoch ms (used for timestamps); timers are scheduled on a monotonic
 * base, so a wall-clock step (NTP) neither fires nor stalls them.
 */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds, only meaningful as differences. */
  monotonic(): number;
  /** Run `fn` once after `ms` of elapsed (monotonic) time. */
  setTimer(ms: number, fn: () => void): Timer;
  /** Run `fn` every `ms` of elapsed time until cancelled. */
  setInterval(ms: number, fn: () => void): Timer;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  }

  setInterval(ms: number, fn: () => void): Timer {
    const handle = setInterval(fn, Math.max(1, ms));
    return { cancel: () => clearInterval(handle) };
  }
}

interface Scheduled {
  id: number;
  due: number;
  every: number | undefined;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Deterministic clock for tests and scenario replay. Time moves only when `advance`/`advanceTo`
 * is called; due timers fire in (due time, creation order) order, each seeing `now()` equal to
 * its own due time.
 */
export class VirtualClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private queue: Scheduled[] = [];

  constructor(startEpochMs = Date.UTC(2026, 0, 1)) {
    this.wall = startEpochMs;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  /** Step the wall clock without moving monotonic time (simulates an NTP correction). */
  stepWallClock(deltaMs: number): void {
    this.wall += deltaMs;
  }

  setTimer(ms: number, fn: () => void): Timer {
    return this.schedule(ms, undefined, fn);
  }

  setInterval(ms: number, fn: () => void): Timer {
    return this.schedule(ms, Math.max(1, ms), fn);
  }

  /** Number of pending timers (for tests and leak checks). */
  pending(): number {
    return this.queue.filter((t) => !t.cancelled).length;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.mono + ms);
  }

  /** Move monotonic time to `target`, firing due timers in order. */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next.due > target) break;
      this.moveTo(next.due);
      this.queue.splice(this.queue.indexOf(next), 1);
      if (next.every !== undefined && !next.cancelled) {
        next.due += next.every;
        this.queue.push(next);
      }
      next.fn();
    }
    this.moveTo(Math.max(this.mono, target));
  }

  /** Advance to the next due timer (if any) and fire it; returns false when none is pending. */
  step(): boolean {
    const next = this.nextDue();
    if (!next) return false;
    this.advanceTo(next.due);
    return true;
  }

  private moveTo(mono: number): void {
    this.wall += mono - this.mono;
    this.mono = mono;
  }

  private nextDue(): Scheduled | undefined {
    this.queue = this.queue.filter((t) => !t.cancelled);
    let best: Scheduled | undefined;
    for (const t of this.queue) {
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }

  private schedule(ms: number, every: number | undefined, fn: () => void): Timer {
    const entry: Scheduled = { id: this.seq++, due: this.mono + Math.max(0, ms), every, fn, cancelled: false };
    this.queue.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }
}
