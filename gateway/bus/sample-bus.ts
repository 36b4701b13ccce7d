/**
 * The sample bus: connectors push batches, consumers (storage, live view, rules) subscribe.
 *
 * Each subscriber has its own bounded queue, so a slow consumer never blocks a connector or another
 * consumer. When a queue is full the oldest samples are dropped and counted per subscriber: the
 * count is visible in /api/health, never silent.
 */
import type { Logger } from 'pino';
import type { Sample, SampleSink } from '../model/sample.ts';

export type BatchHandler = (batch: readonly Sample[]) => void | Promise<void>;

export interface SubscriberStats {
  readonly name: string;
  readonly depth: number;
  readonly capacity: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly handlerErrors: number;
}

export interface BusOptions {
  /** Default queue capacity per subscriber, in samples. */
  readonly capacity: number;
  /** Largest batch handed to a handler in one call. */
  readonly maxBatch?: number;
  /**
   * `async` (default): handlers run on later turns of the event loop, one batch in flight per
   * subscriber. `sync`: handlers run inside `push`, for deterministic virtual-time replay.
   */
  readonly delivery?: 'async' | 'sync';
  readonly log?: Logger;
}

class Subscriber {
  readonly name: string;
  readonly capacity: number;
  readonly handler: BatchHandler;
  queue: Sample[][] = [];
  head = 0; // index of the first undelivered sample in queue[0]
  depth = 0;
  delivered = 0;
  dropped = 0;
  handlerErrors = 0;
  busy = false;
  scheduled = false;
  closed = false;

  constructor(name: string, capacity: number, handler: BatchHandler) {
    this.name = name;
    this.capacity = capacity;
    this.handler = handler;
  }
}

export interface Subscription {
  unsubscribe(): void;
}

export class SampleBus implements SampleSink {
  private readonly subscribers: Subscriber[] = [];
  private readonly options: Required<Omit<BusOptions, 'log'>> & { log: Logger | undefined };
  private idleWaiters: Array<() => void> = [];
  private pushed = 0;

  constructor(options: BusOptions) {
    this.options = {
      capacity: options.capacity,
      maxBatch: options.maxBatch ?? 10_000,
      delivery: options.delivery ?? 'async',
      log: options.log,
    };
  }

  subscribe(name: string, handler: BatchHandler, opts: { capacity?: number } = {}): Subscription {
    const sub = new Subscriber(name, opts.capacity ?? this.options.capacity, handler);
    this.subscribers.push(sub);
    return {
      unsubscribe: () => {
        sub.closed = true;
        const i = this.subscribers.indexOf(sub);
        if (i >= 0) this.subscribers.splice(i, 1);
        this.notifyIfIdle();
      },
    };
  }

  push(batch: readonly Sample[]): void {
    if (batch.length === 0) return;
    this.pushed += batch.length;
    for (const sub of this.subscribers) {
      if (this.options.delivery === 'sync') {
        this.deliverSync(sub, batch);
        continue;
      }
      sub.queue.push(batch as Sample[]);
      sub.depth += batch.length;
      if (sub.depth > sub.capacity) this.dropOldest(sub, sub.depth - sub.capacity);
      this.schedule(sub);
    }
  }

  /** Samples pushed since start. */
  totalPushed(): number {
    return this.pushed;
  }

  stats(): SubscriberStats[] {
    return this.subscribers.map((s) => ({
      name: s.name,
      depth: s.depth,
      capacity: s.capacity,
      delivered: s.delivered,
      dropped: s.dropped,
      handlerErrors: s.handlerErrors,
    }));
  }

  /** Resolves once every queue is empty and no handler is running. */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.subscribers.every((s) => s.depth === 0 && !s.busy);
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private deliverSync(sub: Subscriber, batch: readonly Sample[]): void {
    try {
      const result = sub.handler(batch);
      if (result instanceof Promise) result.catch((err: unknown) => this.handlerFailed(sub, err));
      sub.delivered += batch.length;
    } catch (err) {
      this.handlerFailed(sub, err);
    }
  }

  private dropOldest(sub: Subscriber, count: number): void {
    let left = count;
    while (left > 0 && sub.queue.length > 0) {
      const first = sub.queue[0] as Sample[];
      const available = first.length - sub.head;
      if (available <= left) {
        sub.queue.shift();
        sub.head = 0;
        left -= available;
      } else {
        sub.head += left;
        left = 0;
      }
    }
    const dropped = count - left;
    sub.depth -= dropped;
    if (sub.dropped === 0 || Math.floor((sub.dropped + dropped) / 10_000) > Math.floor(sub.dropped / 10_000)) {
      this.options.log?.warn({ subscriber: sub.name, dropped: sub.dropped + dropped, capacity: sub.capacity }, 'sample queue full: oldest samples dropped');
    }
    sub.dropped += dropped;
  }

  private schedule(sub: Subscriber): void {
    if (sub.scheduled || sub.busy) return;
    sub.scheduled = true;
    setImmediate(() => {
      sub.scheduled = false;
      void this.run(sub);
    });
  }

  private take(sub: Subscriber): Sample[] {
    const out: Sample[] = [];
    const max = this.options.maxBatch;
    while (out.length < max && sub.queue.length > 0) {
      const first = sub.queue[0] as Sample[];
      const want = max - out.length;
      const end = Math.min(first.length, sub.head + want);
      if (sub.head === 0 && end === first.length && out.length === 0 && first.length <= max) {
        sub.queue.shift();
        sub.depth -= first.length;
        return first;
      }
      for (let i = sub.head; i < end; i++) out.push(first[i] as Sample);
      sub.depth -= end - sub.head;
      if (end === first.length) {
        sub.queue.shift();
        sub.head = 0;
      } else {
        sub.head = end;
      }
    }
    return out;
  }

  private async run(sub: Subscriber): Promise<void> {
    if (sub.busy || sub.closed) return;
    sub.busy = true;
    try {
      while (sub.depth > 0 && !sub.closed) {
        const batch = this.take(sub);
        try {
          await sub.handler(batch);
          sub.delivered += batch.length;
        } catch (err) {
          this.handlerFailed(sub, err);
        }
      }
    } finally {
      sub.busy = false;
      this.notifyIfIdle();
    }
  }

  private handlerFailed(sub: Subscriber, err: unknown): void {
    sub.handlerErrors++;
    this.options.log?.error({ subscriber: sub.name, err }, 'sample consumer failed on a batch');
  }
}
