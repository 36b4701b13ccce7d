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
  queued: boolean;
}

/** Min-heap of timers ordered by (due time, creation order). */
class TimerHeap {
  private items: Scheduled[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Scheduled | undefined {
    return this.items[0];
  }

  push(entry: Scheduled): void {
    const a = this.items;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i] as Scheduled, a[parent] as Scheduled)) break;
      [a[i], a[parent]] = [a[parent] as Scheduled, a[i] as Scheduled];
      i = parent;
    }
  }

  pop(): Scheduled | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l] as Scheduled, a[m] as Scheduled)) m = l;
        if (r < a.length && before(a[r] as Scheduled, a[m] as Scheduled)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as Scheduled, a[i] as Scheduled];
        i = m;
      }
    }
    return top;
  }

  /** Drop every entry failing `keep` and restore heap order. */
  retain(keep: (entry: Scheduled) => boolean): void {
    const kept = this.items.filter(keep);
    this.items = [];
    for (const entry of kept) this.push(entry);
  }

  count(predicate: (entry: Scheduled) => boolean): number {
    return this.items.filter(predicate).length;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.due < b.due || (a.due === b.due && a.id < b.id);
}

/**
 * Deterministic clock for tests and scenario replay. Time moves only when `advance`/`advanceTo`
 * is called; due timers fire in (due time, creation order) order, each seeing `now()` equal to
 * its own due time. Timers wait in a binary heap (O(log n) per timer), so a month of virtual time
 * with many timers replays quickly; cancelled timers are dropped lazily.
 */
export class VirtualClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private readonly queue = new TimerHeap();
  private cancelledQueued = 0;

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
    return this.queue.count((t) => !t.cancelled);
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
      this.queue.pop();
      next.queued = false;
      if (next.every !== undefined && !next.cancelled) {
        next.due += next.every;
        next.queued = true;
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

  /** The earliest live timer, left at the top of the heap (cancelled ones above it are dropped). */
  private nextDue(): Scheduled | undefined {
    for (;;) {
      const top = this.queue.peek();
      if (!top || !top.cancelled) return top;
      this.queue.pop();
      top.queued = false;
      this.cancelledQueued--;
    }
  }

  private schedule(ms: number, every: number | undefined, fn: () => void): Timer {
    const entry: Scheduled = { id: this.seq++, due: this.mono + Math.max(0, ms), every, fn, cancelled: false, queued: true };
    this.queue.push(entry);
    return {
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        if (!entry.queued) return;
        this.cancelledQueued++;
        // re-armed timeouts (cancel + new timer) must not pile up far in the future
        if (this.cancelledQueued > 1024 && this.cancelledQueued * 2 > this.queue.size) {
          this.queue.retain((t) => {
            if (t.cancelled) t.queued = false;
            return !t.cancelled;
          });
          this.cancelledQueued = 0;
        }
      },
    };
  }
}
