/**
 * The sample bus: connectors push batches, consumers (storage, live view, rules) subscribe.
 *
 * Each subscriber has its own bounded queue, so a slow consumer never blocks a connector or another
 * consumer. When a queue is full the oldest samples are dropped and counted per subscriber: the
 * count is visible in /api/health, never silent.
 *
 * - **Batches**: a handler gets everything queued for it (up to `maxBatch`) in one call, however
 *   many pushes made it, so a storage consumer commits once per batch, not once per message.
 * - **Priority lane**: samples for which `isPriority` holds (life-safety points) go to a separate
 *   lane of every subscriber that is handed out before the telemetry lane and is never dropped
 *   by the overflow policy. A fire alarm does not wait behind 10,000 queued telemetry samples.
 * - **Rules first**: a consumer subscribed with `first` (the rule engine) is handed each push before
 *   the others in the same turn of the event loop, so telemetry consumers never delay an alarm.
 * - **Durable pushes**: `pushDurable` resolves once every `durable` subscriber (the storage
 *   consumers) has finished the handler call that covered the last sample of that push, and
 *   rejects if one of them failed it or dropped it. An MQTT PUBACK waits for this promise.
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
  /** Life-safety samples waiting in the priority lane. */
  readonly priorityDepth: number;
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
  /** Samples that take the priority lane (life-safety points). Default: none. */
  readonly isPriority?: (s: Sample) => boolean;
  readonly log?: Logger;
}

export interface SubscribeOptions {
  readonly capacity?: number;
  /** A storage consumer: `pushDurable` waits until this handler has finished the push's samples. */
  readonly durable?: boolean;
  /**
   * Handed each push before the consumers without it, whatever the order they subscribed in (the
   * rules: an alarm is judged before the storage consumer serialises the batch for its worker and
   * before the live view and the uptime ledger take their turn).
   */
  readonly first?: boolean;
}

/** A sink that can also tell when a push is stored durably (what an acknowledgement waits for). */
export interface DurableSampleSink extends SampleSink {
  pushDurable(batch: readonly Sample[]): Promise<void>;
}

export function isDurableSink(sink: SampleSink): sink is DurableSampleSink {
  return typeof (sink as Partial<DurableSampleSink>).pushDurable === 'function';
}

/** One durable push, waited for by `remaining` durable subscribers. */
class Ticket {
  remaining: number;
  failed = false;
  readonly promise: Promise<void>;
  private resolve: () => void = () => {};
  private reject: (err: Error) => void = () => {};

  constructor(remaining: number) {
    this.remaining = remaining;
    this.promise = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    if (remaining === 0) this.resolve();
  }

  done(): void {
    if (this.failed) return;
    if (--this.remaining === 0) this.resolve();
  }

  fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.reject(err);
  }
}

interface Chunk {
  readonly samples: readonly Sample[];
  head: number;
  /** Set on the chunks of a durable push, for durable subscribers only. */
  readonly ticket: Ticket | undefined;
}

class Lane {
  chunks: Chunk[] = [];
  depth = 0;
}

class Subscriber {
  readonly name: string;
  readonly capacity: number;
  readonly handler: BatchHandler;
  readonly durable: boolean;
  readonly first: boolean;
  readonly urgent = new Lane();
  readonly normal = new Lane();
  delivered = 0;
  dropped = 0;
  handlerErrors = 0;
  busy = false;
  scheduled = false;
  closed = false;

  constructor(name: string, capacity: number, handler: BatchHandler, durable: boolean, first: boolean) {
    this.name = name;
    this.capacity = capacity;
    this.handler = handler;
    this.durable = durable;
    this.first = first;
  }

  get depth(): number {
    return this.urgent.depth + this.normal.depth;
  }
}

export interface Subscription {
  unsubscribe(): void;
}

export class SampleBus implements DurableSampleSink {
  private readonly subscribers: Subscriber[] = [];
  private readonly options: Required<Omit<BusOptions, 'log' | 'isPriority'>> & { log: Logger | undefined; isPriority: ((s: Sample) => boolean) | undefined };
  private idleWaiters: Array<() => void> = [];
  private readonly handledListeners: Array<() => void> = [];
  private pushed = 0;

  constructor(options: BusOptions) {
    this.options = {
      capacity: options.capacity,
      maxBatch: options.maxBatch ?? 10_000,
      delivery: options.delivery ?? 'async',
      log: options.log,
      isPriority: options.isPriority,
    };
  }

  subscribe(name: string, handler: BatchHandler, opts: SubscribeOptions = {}): Subscription {
    const sub = new Subscriber(name, opts.capacity ?? this.options.capacity, handler, opts.durable ?? false, opts.first ?? false);
    // deliveries follow this order (setImmediate callbacks run in the order they were queued)
    if (sub.first) {
      const at = this.subscribers.findIndex((s) => !s.first);
      this.subscribers.splice(at < 0 ? this.subscribers.length : at, 0, sub);
    } else {
      this.subscribers.push(sub);
    }
    return {
      unsubscribe: () => {
        sub.closed = true;
        const i = this.subscribers.indexOf(sub);
        if (i >= 0) this.subscribers.splice(i, 1);
        for (const lane of [sub.urgent, sub.normal]) for (const c of lane.chunks) c.ticket?.fail(new Error(`consumer ${name} unsubscribed`));
        this.notifyIfIdle();
      },
    };
  }

  push(batch: readonly Sample[]): void {
    this.enqueue(batch, undefined);
  }

  /** Push, then resolve once every durable consumer has stored these samples. */
  pushDurable(batch: readonly Sample[]): Promise<void> {
    const ticket = new Ticket(batch.length === 0 ? 0 : this.subscribers.filter((s) => s.durable).length);
    this.enqueue(batch, ticket);
    return ticket.promise;
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
      priorityDepth: s.urgent.depth,
    }));
  }

  /**
   * Telemetry samples queued ahead of the slowest subscriber (its telemetry lane; the priority lane
   * is not counted): what intake back-pressure watches (`bus.pauseIntakeAt`).
   */
  backlog(): number {
    let most = 0;
    for (const s of this.subscribers) if (s.normal.depth > most) most = s.normal.depth;
    return most;
  }

  /** Call `listener` after every batch a subscriber finished (the backlog may have shrunk). */
  onBatchHandled(listener: () => void): void {
    this.handledListeners.push(listener);
  }

  /** Resolves once every queue is empty and no handler is running. */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(batch: readonly Sample[], ticket: Ticket | undefined): void {
    if (batch.length === 0) return;
    this.pushed += batch.length;
    const { urgent, normal } = this.split(batch);
    for (const sub of this.subscribers) {
      const t = sub.durable ? ticket : undefined;
      if (this.options.delivery === 'sync') {
        this.deliverSync(sub, batch, t);
        continue;
      }
      // The ticket rides on the last chunk of the push in each lane it uses; it completes when
      // both lanes' chunks are handled, so count one extra "done" when both lanes carry it.
      if (t && urgent.length > 0 && normal.length > 0) t.remaining++;
      if (urgent.length > 0) {
        sub.urgent.chunks.push({ samples: urgent, head: 0, ticket: t });
        sub.urgent.depth += urgent.length;
      }
      if (normal.length > 0) {
        sub.normal.chunks.push({ samples: normal, head: 0, ticket: t });
        sub.normal.depth += normal.length;
        if (sub.normal.depth + sub.urgent.depth > sub.capacity) this.dropOldest(sub, Math.min(sub.normal.depth, sub.normal.depth + sub.urgent.depth - sub.capacity));
      }
      this.schedule(sub);
    }
  }

  private split(batch: readonly Sample[]): { urgent: readonly Sample[]; normal: readonly Sample[] } {
    const isPriority = this.options.isPriority;
    if (!isPriority) return { urgent: [], normal: batch };
    let urgent: Sample[] | undefined;
    for (const s of batch) {
      if (isPriority(s)) (urgent ??= []).push(s);
    }
    if (!urgent) return { urgent: [], normal: batch };
    if (urgent.length === batch.length) return { urgent: batch, normal: [] };
    return { urgent, normal: batch.filter((s) => !isPriority(s)) };
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

  private deliverSync(sub: Subscriber, batch: readonly Sample[], ticket: Ticket | undefined): void {
    try {
      const result = sub.handler(batch);
      if (result instanceof Promise) {
        result.then(
          () => ticket?.done(),
          (err: unknown) => {
            this.handlerFailed(sub, err);
            ticket?.fail(asError(err));
          },
        );
      } else {
        ticket?.done();
      }
      sub.delivered += batch.length;
    } catch (err) {
      this.handlerFailed(sub, err);
      ticket?.fail(asError(err));
    }
  }

  /** Drop `count` of the oldest telemetry samples (the priority lane is never dropped). */
  private dropOldest(sub: Subscriber, count: number): void {
    const lane = sub.normal;
    let left = count;
    while (left > 0 && lane.chunks.length > 0) {
      const first = lane.chunks[0] as Chunk;
      const available = first.samples.length - first.head;
      if (available <= left) {
        lane.chunks.shift();
        first.ticket?.fail(new Error(`sample queue of ${sub.name} full: samples dropped before they were stored`));
        left -= available;
      } else {
        first.head += left;
        first.ticket?.fail(new Error(`sample queue of ${sub.name} full: samples dropped before they were stored`));
        left = 0;
      }
    }
    const dropped = count - left;
    lane.depth -= dropped;
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

  /**
   * Everything queued for `sub`, priority lane first, up to `maxBatch` samples, with the tickets
   * of the pushes whose last sample is in the batch.
   */
  private take(sub: Subscriber): { batch: readonly Sample[]; tickets: Ticket[] } {
    const max = this.options.maxBatch;
    const tickets: Ticket[] = [];
    const lanes = [sub.urgent, sub.normal];
    // Fast path: one whole chunk is all there is.
    const only = sub.urgent.chunks.length + sub.normal.chunks.length === 1 ? (sub.urgent.chunks[0] ?? sub.normal.chunks[0]) : undefined;
    if (only && only.head === 0 && only.samples.length <= max) {
      const lane = sub.urgent.chunks.length === 1 ? sub.urgent : sub.normal;
      lane.chunks.shift();
      lane.depth -= only.samples.length;
      if (only.ticket) tickets.push(only.ticket);
      return { batch: only.samples, tickets };
    }
    const out: Sample[] = [];
    for (const lane of lanes) {
      while (out.length < max && lane.chunks.length > 0) {
        const first = lane.chunks[0] as Chunk;
        const end = Math.min(first.samples.length, first.head + (max - out.length));
        for (let i = first.head; i < end; i++) out.push(first.samples[i] as Sample);
        lane.depth -= end - first.head;
        if (end === first.samples.length) {
          lane.chunks.shift();
          if (first.ticket) tickets.push(first.ticket);
        } else {
          first.head = end;
        }
      }
    }
    return { batch: out, tickets };
  }

  private async run(sub: Subscriber): Promise<void> {
    if (sub.busy || sub.closed) return;
    sub.busy = true;
    try {
      while (sub.depth > 0 && !sub.closed) {
        const { batch, tickets } = this.take(sub);
        try {
          await sub.handler(batch);
          sub.delivered += batch.length;
          for (const t of tickets) t.done();
        } catch (err) {
          this.handlerFailed(sub, err);
          for (const t of tickets) t.fail(asError(err));
        }
        for (const l of this.handledListeners) l();
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

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
