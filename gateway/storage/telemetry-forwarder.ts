/**
 * Store-and-forward: lines go into the durable spool first, and leave it once the server accepted them.
 *
 * Two lanes run side by side, live with one request in flight, backlog with two:
 * - live: lines appended since the sink last recovered (ids ≥ `boundary`), sent when a full batch
 *   is waiting or the flush interval ticks;
 * - backlog: lines spooled before that (an outage, a restart), drained oldest first with their
 *   original timestamps, at the drain controller's rate (a token bucket), so live data keeps
 *   flowing while a long outage drains, and the drain does not wait behind live requests.
 * While the sink is failing only the backlog lane sends (everything waiting is backlog then).
 *
 * Answers: ok → accepted; 400/413/422 → the batch is split in halves until the bad lines are
 * alone, they go to the dead letters with the server's message, the good lines are written;
 * outage/timeout/5xx/429 → kept, retried after a doubling back-off or the server's Retry-After;
 * 401/403/404 → kept, and the trouble condition "telemetry sink misconfigured" stays raised until a
 * write succeeds again.
 *
 * Delivery is at least once: a crash between the server's answer and `settle` sends a batch again.
 * InfluxDB stores a point by (measurement, tags, timestamp), so a repeat overwrites itself.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../model/clock.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import type { Spool, SpoolBatch, SpoolStats } from './spool.ts';
import { TelemetryBatchSender } from './telemetry-batch-sender.ts';
import { BACKLOG_BATCH_FACTOR, BACKLOG_REQUESTS_IN_FLIGHT, DrainController } from './drain-controller.ts';
import { RejectedLinesTrouble } from './rejected-lines-trouble.ts';
import { LaneLoop } from './lane-loop.ts';
import { PROBE_INTERVAL_MS, ReturnProbe } from './return-probe.ts';
import type { LineWriter, WriteResult } from './write-result.ts';

export const SINK_MISCONFIGURED = 'telemetry-sink-misconfigured';
export const SPOOL_OVERFLOW = 'telemetry-spool-overflow';
export { LINES_REJECTED, REJECT_THRESHOLD, REJECT_WINDOW_LINES } from './rejected-lines-trouble.ts';
/** Longest Retry-After honoured as given; longer values are capped. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface ForwarderOptions {
  readonly spool: Spool;
  readonly writer: LineWriter;
  readonly clock: Clock;
  readonly log: Logger;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** The backlog drain rate to start from; it then follows the server (see drain-controller.ts). */
  readonly drainLinesPerSecond: number;
  /** The configured request timeout (ms, default 10 s); scaled per request by the drain controller. */
  readonly requestTimeoutMs?: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly trouble?: TroubleBoard;
  /** Lines in the window the refused share is measured over (default 1,000). */
  readonly rejectWindowLines?: number;
  /** Refused share of the window above which `telemetry-lines-rejected` is raised (default 0.05). */
  readonly rejectThreshold?: number;
  /** Called with the duration of every write request and its outcome. */
  readonly onWrite?: (seconds: number, result: WriteResult['kind']) => void;
  /** While the sink is unreachable, check this often whether it listens again (default 250 ms). */
  readonly probeIntervalMs?: number;
}

export type SinkState = 'ok' | 'retrying' | 'misconfigured' | 'stopped';

export interface ForwarderStatus {
  readonly target: string;
  readonly state: SinkState;
  readonly spool: SpoolStats & { readonly oldestAgeMs: number | null };
  /** Lines appended since start. */
  readonly appendedLines: number;
  readonly writtenLines: number;
  readonly writtenPoints: number;
  readonly requests: number;
  readonly failedRequests: number;
  readonly lastSuccessAt: number | null;
  readonly lastError: { readonly message: string; readonly at: number } | null;
  /** When the next attempt is due after a failure (epoch ms), else null. */
  readonly retryAt: number | null;
  readonly drainLinesPerSecond: number;
}

export class TelemetryForwarder {
  private readonly o: ForwarderOptions;
  private boundary: number;
  private hasBacklog: boolean;
  private pendingLive = 0;
  private flushDue = false;
  private state: SinkState = 'ok';
  private failing = false;
  private backoffMs = 0;
  private pausedUntil = 0;
  private retryAt: number | null = null;
  private tokens: number;
  private tokensAt: number;
  private readonly loops = [new LaneLoop('live', true), ...Array.from({ length: BACKLOG_REQUESTS_IN_FLIGHT }, (_, i) => new LaneLoop('backlog', i === 0))];
  private stopped = false;
  private readonly timers: Timer[] = [];
  private wakeTimer: Timer | undefined;
  private retryTimer: Timer | undefined;
  private appended = 0;
  private droppedSeen: number;
  private lastSuccessAt: number | null = null;
  private lastError: { message: string; at: number } | null = null;
  private readonly rejections: RejectedLinesTrouble;
  private readonly drain: DrainController;
  private readonly sender: TelemetryBatchSender;
  private readonly probe: ReturnProbe;
  private resumeLoops = false; // the sink recovered: resumeStoppedLoops

  constructor(options: ForwarderOptions) {
    this.o = options;
    const stats = options.spool.stats();
    this.boundary = stats.nextId;
    this.droppedSeen = stats.droppedLines;
    this.hasBacklog = stats.depth > 0;
    this.drain = new DrainController({ initialLinesPerSecond: options.drainLinesPerSecond, baseTimeoutMs: options.requestTimeoutMs ?? 10_000, batchSize: options.batchSize });
    this.sender = new TelemetryBatchSender({ writer: options.writer, clock: options.clock, drain: this.drain, ...(options.onWrite ? { onWrite: options.onWrite } : {}), stopped: () => this.stopped });
    this.tokens = Math.max(1, Math.min(options.batchSize, Math.floor(options.drainLinesPerSecond)));
    this.tokensAt = options.clock.monotonic();
    this.rejections = new RejectedLinesTrouble({
      target: options.writer.target,
      log: options.log,
      trouble: options.trouble,
      ...(options.rejectWindowLines !== undefined ? { windowLines: options.rejectWindowLines } : {}),
      ...(options.rejectThreshold !== undefined ? { threshold: options.rejectThreshold } : {}),
    });
    this.probe = new ReturnProbe({
      writer: options.writer,
      clock: options.clock,
      every: options.probeIntervalMs ?? PROBE_INTERVAL_MS,
      waiting: () => !this.stopped && this.failing && options.clock.monotonic() < this.pausedUntil,
      onReturn: () => {
        options.log.info({ target: options.writer.target }, 'telemetry sink accepts connections again; retrying now');
        this.retryTimer?.cancel();
        this.retryTimer = undefined;
        this.pausedUntil = 0;
        this.retryAt = options.clock.now();
        this.kick();
      },
    });
    if (stats.depth > 0) options.log.info({ lines: stats.depth, target: options.writer.target }, 'spooled telemetry from before the restart will be drained');
  }

  start(): void {
    this.timers.push(
      this.o.clock.setInterval(this.o.flushIntervalMs, () => {
        this.flushDue = true;
        this.checkOverflow();
        this.kick();
      }),
    );
    this.kick();
  }

  /** Spool lines (durable when this returns) and send when a batch is full. */
  append(lines: readonly string[]): void {
    if (lines.length === 0 || this.stopped) return;
    this.o.spool.append(lines, this.o.clock.now());
    this.appended += lines.length;
    this.pendingLive += lines.length;
    if (this.pendingLive >= this.o.batchSize) this.kick();
  }

  /** Start sending now on each sender loop that is idle. */
  kick(): void {
    if (this.stopped) return;
    for (const l of this.loops) {
      if (l.running) l.again = true;
      else {
        l.running = true;
        l.pumping = this.runPump(l);
      }
    }
  }

  /** Resolves when nothing is waiting that could be sent now (for tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.loops.some((l) => l.running)) await Promise.all(this.loops.map((l) => l.pumping));
  }

  private async runPump(l: LaneLoop): Promise<void> {
    try {
      do {
        l.again = false;
        await this.pump(l);
      } while (l.again && !this.stopped);
    } catch (err) {
      this.o.log.error({ err }, 'telemetry sender failed; retrying on the next tick');
    } finally {
      l.running = false; // synchronously with the last step: a kick after this starts a new run
    }
  }

  status(): ForwarderStatus {
    const spool = this.o.spool.stats();
    const now = this.o.clock.now();
    return {
      target: this.o.writer.target,
      state: this.stopped ? 'stopped' : this.state,
      spool: { ...spool, oldestAgeMs: spool.oldestAppendedAt === null ? null : Math.max(0, now - spool.oldestAppendedAt) },
      appendedLines: this.appended,
      writtenLines: this.sender.writtenLines,
      writtenPoints: this.sender.writtenPoints,
      requests: this.sender.requests,
      failedRequests: this.sender.failedRequests,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      retryAt: this.retryAt,
      drainLinesPerSecond: Math.round(this.drain.linesPerSecond()),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.wakeTimer?.cancel();
    this.retryTimer?.cancel();
    this.probe.stop();
    await Promise.all(this.loops.map((l) => l.pumping));
    await this.o.writer.close();
  }

  /**
   * Send a lane's batches (live: not rate-capped; backlog: by the drain rate). The next batch is
   * taken while the current request is out (one per loop); if it fails, the next is settled as kept.
   * While failing only the backlog's first loop sends (one retry at a time).
   */
  private async pump(l: LaneLoop): Promise<void> {
    const paused = (): boolean => this.o.clock.monotonic() < this.pausedUntil || (this.failing && !l.first);
    const take = (): SpoolBatch | undefined => (paused() ? undefined : l.lane === 'live' ? this.takeLive() : this.takeBacklog());
    let next = take();
    while (next && !this.stopped && !paused()) {
      const sending = this.deliver(next);
      this.resumeStoppedLoops(); // after this request went out: the lines still go out oldest first
      const following = take();
      const delivered = await sending;
      if (!delivered || this.stopped) {
        if (following) this.o.spool.settle(following, {}, this.o.clock.now());
        return;
      }
      next = following ?? take();
    }
    if (next) this.o.spool.settle(next, {}, this.o.clock.now());
    this.resumeStoppedLoops();
  }

  /** After a recovery the loops stopped while failing start at once, not at the next append or flush tick. */
  private resumeStoppedLoops(): void {
    if (!this.resumeLoops) return;
    this.resumeLoops = false;
    this.kick();
  }

  private takeLive(): SpoolBatch | undefined {
    const { spool, batchSize } = this.o;
    // While the sink is failing everything waiting is backlog: retries take the oldest lines.
    if (this.failing || !(this.pendingLive >= batchSize || this.flushDue)) return undefined;
    const batch = spool.take(batchSize, { fromId: this.boundary });
    this.pendingLive = Math.max(0, this.pendingLive - batch.items.length);
    if (batch.items.length < batchSize) this.flushDue = false;
    if (batch.items.length > 0) return batch;
    spool.settle(batch, {}, this.o.clock.now());
    return undefined;
  }

  private takeBacklog(): SpoolBatch | undefined {
    const { spool } = this.o;
    if (!this.hasBacklog && !this.failing) return undefined;
    this.refillTokens();
    // a batch's worth of tokens sends, with what accumulated meanwhile; a retry while failing
    // carries one batch (reading more from the spool only to be refused is waste)
    const least = Math.min(this.o.batchSize, this.backlogBatchSize());
    if (this.tokens < least) {
      this.wakeAfter(((least - this.tokens) / this.drain.linesPerSecond()) * 1000);
      return undefined;
    }
    const size = this.failing ? least : Math.max(least, Math.min(this.backlogBatchSize(), Math.floor(this.tokens)));
    const batch = spool.take(size, this.failing ? {} : { beforeId: this.boundary });
    if (batch.items.length < size && !this.failing) this.hasBacklog = false;
    if (batch.items.length === 0) {
      spool.settle(batch, {}, this.o.clock.now());
      if (!this.failing) this.o.log.info({ target: this.o.writer.target }, 'telemetry backlog drained');
      return undefined;
    }
    this.tokens -= batch.items.length;
    return batch;
  }

  /** Lines dropped by the overflow policy: logged and a trouble condition, cleared once the sink is up and the spool under half its bound. */
  private checkOverflow(): void {
    const stats = this.o.spool.stats();
    if (stats.droppedLines > this.droppedSeen) {
      const dropped = stats.droppedLines - this.droppedSeen;
      this.droppedSeen = stats.droppedLines;
      this.o.log.error({ dropped, total: stats.droppedLines, maxBytes: stats.maxBytes }, 'telemetry spool full: oldest lines dropped');
      this.o.trouble?.raise(SPOOL_OVERFLOW, 'storage', `telemetry spool full (${stats.maxBytes} bytes): ${stats.droppedLines} oldest lines dropped so far`);
    } else if (this.state === 'ok' && stats.bytes < stats.maxBytes / 2) {
      this.o.trouble?.clear(SPOOL_OVERFLOW);
    }
  }

  /** Backlog batches: up to BACKLOG_BATCH_FACTOR × batchSize lines, at most one second's worth of the drain rate. */
  private backlogBatchSize(): number {
    return Math.max(1, Math.min(this.o.batchSize * BACKLOG_BATCH_FACTOR, Math.floor(this.drain.linesPerSecond())));
  }

  private refillTokens(): void {
    const now = this.o.clock.monotonic();
    const cap = this.backlogBatchSize();
    this.tokens = Math.min(cap, this.tokens + ((now - this.tokensAt) / 1000) * this.drain.linesPerSecond());
    this.tokensAt = now;
  }

  private wakeAfter(ms: number): void {
    this.wakeTimer?.cancel();
    this.wakeTimer = this.o.clock.setTimer(Math.max(1, Math.ceil(ms)), () => {
      this.wakeTimer = undefined;
      this.kick();
    });
  }

  /** Send a batch, settle it; false when the sink failed (the batch, or what is left of it, is kept). */
  private async deliver(batch: SpoolBatch): Promise<boolean> {
    const accepted: number[] = [];
    const rejected: Array<{ id: number; reason: string }> = [];
    let failure: WriteResult | undefined;
    try {
      failure = (await this.sender.send(batch.items, accepted, rejected)).failure;
    } finally {
      this.o.spool.settle(batch, { accepted, rejected }, this.o.clock.now());
    }
    this.rejections.note(accepted.length, rejected);
    if (rejected.length > 0) {
      this.o.log.warn({ lines: rejected.length, reason: rejected[0]?.reason, line: batch.items.find((i) => i.id === rejected[0]?.id)?.line }, 'telemetry lines refused by the server; moved to the dead letters');
    }
    if (failure) {
      this.onFailure(failure);
      return false;
    }
    this.onSuccess();
    return true;
  }

  private onSuccess(): void {
    this.lastSuccessAt = this.o.clock.now();
    if (!this.failing) return;
    this.failing = false;
    this.backoffMs = 0;
    this.retryAt = null;
    this.pausedUntil = 0; // the other lane's failure, answered since by this success
    this.retryTimer?.cancel();
    this.probe.stop();
    this.state = 'ok';
    this.o.trouble?.clear(SINK_MISCONFIGURED);
    // Everything spooled up to now is backlog: drained oldest first at the capped rate.
    this.boundary = this.o.spool.stats().nextId;
    this.pendingLive = 0;
    this.hasBacklog = true;
    this.o.log.info({ target: this.o.writer.target, backlog: this.o.spool.stats().depth }, 'telemetry sink reachable again; draining the spool');
    // the other loops stopped while failing: start them with this loop's next request (see pump)
    this.resumeLoops = true;
  }

  private onFailure(result: WriteResult): void {
    if (result.kind === 'ok' || result.kind === 'rejected') return;
    const now = this.o.clock.now();
    this.lastError = { message: result.message, at: now };
    // The other lane's request failed too while this one was out: one failure, one back-off.
    if (this.failing && this.o.clock.monotonic() < this.pausedUntil) return;
    this.backoffMs = this.failing ? Math.min(this.backoffMs * 2, this.o.retryMaxMs) : this.o.retryMinMs;
    const retryAfter = result.kind === 'unavailable' ? result.retryAfterMs : undefined;
    const delay = retryAfter !== undefined ? Math.min(retryAfter, MAX_RETRY_AFTER_MS) : this.backoffMs;
    const wasState = this.state;
    this.failing = true;
    this.state = result.kind === 'misconfigured' ? 'misconfigured' : 'retrying';
    this.pausedUntil = this.o.clock.monotonic() + delay;
    this.retryAt = now + delay;
    this.retryTimer?.cancel();
    this.retryTimer = this.o.clock.setTimer(Math.max(1, Math.ceil(delay)), () => {
      this.retryTimer = undefined;
      this.kick();
    });
    if (result.kind === 'unavailable' && result.unreachable === true && delay > this.probe.every) this.probe.start();
    else this.probe.stop();
    const depth = this.o.spool.stats().depth;
    if (result.kind === 'misconfigured') {
      this.o.trouble?.raise(SINK_MISCONFIGURED, 'storage', `telemetry sink misconfigured (${this.o.writer.target}): ${result.message}; telemetry stays spooled until fixed`);
    } else {
      this.o.trouble?.clear(SINK_MISCONFIGURED);
    }
    const fields = { target: this.o.writer.target, error: result.message, retryInMs: delay, spooled: depth };
    if (wasState !== this.state) this.o.log.warn(fields, result.kind === 'misconfigured' ? 'telemetry sink misconfigured; keeping telemetry spooled' : 'telemetry sink unavailable; spooling');
    else this.o.log.debug(fields, 'telemetry write still failing');
  }
}
