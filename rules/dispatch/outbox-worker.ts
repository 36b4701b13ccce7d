/**
 * The dispatch worker: sends due outbox rows in the background (never on the caller's stack),
 * retries with exponential backoff and jitter on the Clock, and turns a message that failed
 * `maxAttempts` times into a dead letter. Success and death are reported to hooks inside the
 * same transaction as the outbox update, so the order's state and the outbox never disagree.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import { transaction } from '../../gateway/platform/sqlite-file.ts';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';
import { DeliveryError, type ChannelType, type DeliveryResult, type OutboundMessage } from './channel.ts';
import type { OutboxRow, OutboxStore } from './outbox-store.ts';

/** How to send one row: a bound send function, or an error when the row cannot be sent at all. */
export type Sender = (message: OutboundMessage, signal: AbortSignal) => Promise<DeliveryResult>;

export interface OutboxWorkerOptions extends BackoffPolicy {
  readonly maxAttempts: number;
  readonly timeout: number;
  readonly concurrency: number;
}

export interface OutboxHooks<C extends string = ChannelType> {
  /** Find the sender for a row (its recipient and channel, from the current config). */
  resolve(row: OutboxRow<C>): Sender | DeliveryError;
  /** Subject line for channels that have one. */
  subject(row: OutboxRow<C>): string;
  /** Called inside the transaction that marks the row delivered. */
  onDelivered(row: OutboxRow<C>, at: number): void;
  /** Called inside the transaction that makes the row a dead letter. */
  onDead(row: OutboxRow<C>, reason: string, at: number): void;
}

export interface OutboxWorkerStats {
  attempts: number;
  delivered: number;
  failures: number;
  deadLetters: number;
}

export class OutboxWorker<C extends string = ChannelType> {
  private readonly db: DatabaseSync;
  private readonly store: OutboxStore<C>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly options: OutboxWorkerOptions;
  private readonly hooks: OutboxHooks<C>;
  private readonly random: () => number;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private timer: Timer | undefined;
  private timerAt: number | undefined;
  private pumping = false;
  private again = false;
  private stopped = false;
  readonly stats: OutboxWorkerStats = { attempts: 0, delivered: 0, failures: 0, deadLetters: 0 };

  constructor(db: DatabaseSync, store: OutboxStore<C>, clock: Clock, log: Logger, options: OutboxWorkerOptions, hooks: OutboxHooks<C>, random: () => number = Math.random) {
    this.db = db;
    this.store = store;
    this.clock = clock;
    this.log = log;
    this.options = options;
    this.hooks = hooks;
    this.random = random;
  }

  /** Look for due rows now (after an enqueue, at start, when a retry timer fires). Returns at once. */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    queueMicrotask(() => this.pump());
  }

  /** Wait until nothing is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.pumping) {
      await Promise.all([...this.inFlight.values()]);
      await new Promise((r) => setImmediate(r));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    // Abandon sends in flight: their attempt is already counted and leased, so they are retried after a restart.
    for (const a of this.aborts) a.abort(new DeliveryError('gateway stopping'));
    await Promise.all([...this.inFlight.values()]);
  }

  private pump(): void {
    try {
      for (;;) {
        this.again = false;
        const free = this.options.concurrency - this.inFlight.size;
        if (free <= 0) break;
        const due = this.store.due(this.clock.now(), free + this.inFlight.size).filter((r) => !this.inFlight.has(r.id)).slice(0, free);
        for (const row of due) this.start(row);
        if (due.length === 0 && !this.again) break;
      }
    } catch (err) {
      this.log.error({ err }, 'dispatch outbox: reading due messages failed');
    } finally {
      this.pumping = false;
    }
    this.arm();
  }

  /** One timer on the Clock, for the earliest pending row that is not in flight. */
  private arm(): void {
    if (this.stopped) return;
    const next = this.store.nextDueAt(new Set(this.inFlight.keys()));
    if (next === undefined) {
      this.timer?.cancel();
      this.timer = undefined;
      this.timerAt = undefined;
      return;
    }
    if (this.timer && this.timerAt === next) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.clock.setTimer(Math.max(0, next - this.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.kick();
    });
  }

  private start(row: OutboxRow<C>): void {
    const attempt = row.attempts + 1;
    const backoff = backoffDelay(this.options, attempt, this.random);
    // Durable before the attempt: if the process dies during the send, the row is due again once
    // the attempt would have timed out and backed off, and is re-sent with the same id.
    this.store.beginAttempt(row.id, attempt, this.clock.now() + this.options.timeout + backoff);
    this.stats.attempts++;
    const p = this.attempt(row, attempt, backoff).finally(() => {
      this.inFlight.delete(row.id);
      this.kick();
    });
    this.inFlight.set(row.id, p);
  }

  private async attempt(row: OutboxRow<C>, attempt: number, backoff: number): Promise<void> {
    const began = this.clock.monotonic();
    const at = this.clock.now();
    let result: DeliveryResult | undefined;
    let failure: DeliveryError | undefined;
    const sender = this.hooks.resolve(row);
    if (sender instanceof DeliveryError) {
      failure = sender;
    } else {
      const abort = new AbortController();
      this.aborts.add(abort);
      const timeout = this.clock.setTimer(this.options.timeout, () => abort.abort(new DeliveryError(`no answer within ${this.options.timeout} ms`)));
      try {
        result = await sender({ id: row.id, event: row.event, body: row.body, attempt, subject: this.hooks.subject(row) }, abort.signal);
      } catch (err) {
        failure = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message);
        if (abort.signal.aborted && !(err instanceof DeliveryError)) failure = new DeliveryError(`no answer within ${this.options.timeout} ms`);
      } finally {
        timeout.cancel();
        this.aborts.delete(abort);
      }
    }
    if (this.stopped && failure) return; // shutting down: the lease retries it after restart
    const durationMs = Math.round(this.clock.monotonic() - began);
    const now = this.clock.now();
    const retryAt = now + backoff;
    try {
      transaction(this.db, () => {
        this.store.recordAttempt(row.id, { attempt, at, ok: !failure, statusCode: failure ? (failure.statusCode ?? null) : (result?.statusCode ?? null), error: failure?.message ?? null, durationMs });
        const current = this.store.get(row.id);
        if (!current || current.status !== 'pending') return; // cancelled meanwhile
        if (!failure) {
          this.store.markDelivered(row.id, now);
          this.hooks.onDelivered(current, now);
          return;
        }
        if (!failure.retryable || attempt >= this.options.maxAttempts) {
          const reason = `${failure.message} (after ${attempt} attempt${attempt === 1 ? '' : 's'})`;
          this.store.markDead(row.id, now, reason);
          this.hooks.onDead(current, reason, now);
          return;
        }
        this.store.markFailed(row.id, failure.message, retryAt);
      });
    } catch (err) {
      this.log.error({ err, outbox: row.id }, 'dispatch outbox: recording the attempt failed');
      return;
    }
    const where = { outbox: row.id, order: row.orderId, recipient: row.recipient, channel: row.channel, attempt };
    if (!failure) {
      this.stats.delivered++;
      this.log.info(where, `delivered ${row.event} to ${row.recipientType} ${row.recipient} by ${row.channel}`);
    } else if (!failure.retryable || attempt >= this.options.maxAttempts) {
      this.stats.failures++;
      this.stats.deadLetters++;
      this.log.error({ ...where, err: failure.message }, `dead letter: ${row.event} to ${row.recipient} by ${row.channel} failed ${attempt} times`);
    } else {
      this.stats.failures++;
      this.log.warn({ ...where, err: failure.message, retryInMs: retryAt - now }, `delivery failed; retrying`);
    }
  }
}
