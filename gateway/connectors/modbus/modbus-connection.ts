/**
 * One Modbus connection (a TCP host or a serial line) shared by every unit id behind it: a queue
 * with exactly one request in flight, timeout retries, and a link that is rebuilt with the
 * runtime's capped jittered backoff when it closes or stops answering altogether. This is the one
 * backoff of the link: device pollers follow it instead of backing off on their own.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../model/clock.ts';
import type { ConnectorStats } from '../connector.ts';
import { Backoff } from '../runtime/backoff.ts';
import { ModbusLink, type LinkOptions, type ReadOutcome, type WriteTarget } from './modbus-link.ts';
import type { ModbusConnectorConfig, ModbusTable } from './modbus-schema.ts';

export interface ReadRequest {
  readonly unitId: number;
  readonly table: ModbusTable;
  readonly address: number;
  readonly count: number;
  /** Timeout retries for this request (defaults to the connector's `retries`). */
  readonly retries?: number;
}

/** What a device poller needs from its connection. */
export interface ReadChannel {
  read(request: ReadRequest): Promise<ReadOutcome>;
  /** False while the link is down (a read then fails at once, without a request). */
  readonly connected: boolean;
}

export type ConnectionOptions = LinkOptions &
  Pick<ModbusConnectorConfig, 'timeout' | 'retries' | 'failuresBeforeLost' | 'reconnectMin' | 'reconnectMax' | 'rtuQuietAfterTimeout'>;

/** A write to one unit (commands). Not retried on a timeout: the caller reads back to learn whether it landed. */
export interface WriteRequest {
  readonly unitId: number;
  readonly target: WriteTarget;
}

interface Queued {
  readonly request: ReadRequest | WriteRequest;
  readonly resolve: (outcome: ReadOutcome) => void;
}

export class ModbusConnection implements ReadChannel {
  private readonly options: ConnectionOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly stats: ConnectorStats;
  private readonly backoff: Backoff;
  private readonly queue: Queued[] = [];
  private link: ModbusLink | undefined;
  private connecting = false;
  private busy = false;
  private stopped = true;
  private reconnectTimer: Timer | undefined;
  private failures = 0;
  private linkProven = false;
  private firstAttempt: Promise<void> = Promise.resolve();
  private reconnects = 0;
  /** Last connect error logged at warn; repeats of the same error go to debug. */
  private lastConnectError: string | undefined;

  constructor(options: ConnectionOptions, clock: Clock, log: Logger, stats: ConnectorStats, random: () => number) {
    this.options = options;
    this.clock = clock;
    this.log = log;
    this.stats = stats;
    this.backoff = new Backoff({ min: options.reconnectMin, max: options.reconnectMax }, random);
  }

  /** Start connecting; resolves after the first attempt (successful or not). */
  start(): Promise<void> {
    this.stopped = false;
    this.firstAttempt = this.connect();
    return this.firstAttempt;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    const link = this.link;
    this.link = undefined;
    this.stats.connected = false;
    for (const q of this.queue.splice(0)) q.resolve({ ok: false, kind: 'disconnected', message: 'connector stopped' });
    if (link) await link.close();
  }

  get connected(): boolean {
    return this.link?.isOpen === true;
  }

  queueDepth(): number {
    return this.queue.length;
  }

  reconnectCount(): number {
    return this.reconnects;
  }

  /** Queue a read; settles with data, an exception, or a failure. Fails at once while disconnected. */
  read(request: ReadRequest): Promise<ReadOutcome> {
    if (this.stopped) return Promise.resolve({ ok: false, kind: 'disconnected', message: 'connector stopped' });
    if (!this.connected) return Promise.resolve({ ok: false, kind: 'disconnected', message: 'not connected' });
    return new Promise<ReadOutcome>((resolve) => {
      this.queue.push({ request, resolve });
      this.pump();
    });
  }

  /** Queue a write behind the reads in flight (one request at a time on the link); fails at once while disconnected. */
  write(request: WriteRequest): Promise<ReadOutcome> {
    if (this.stopped) return Promise.resolve({ ok: false, kind: 'disconnected', message: 'connector stopped' });
    if (!this.connected) return Promise.resolve({ ok: false, kind: 'disconnected', message: 'not connected' });
    return new Promise<ReadOutcome>((resolve) => {
      this.queue.push({ request, resolve });
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy) return;
    const next = this.queue.shift();
    if (!next) return;
    this.busy = true;
    void this.execute(next.request).then(
      (outcome) => {
        this.busy = false;
        next.resolve(outcome);
        this.pump();
      },
      (err: unknown) => {
        this.busy = false;
        next.resolve({ ok: false, kind: 'frame', message: String(err) });
        this.pump();
      },
    );
  }

  private async execute(request: ReadRequest | WriteRequest): Promise<ReadOutcome> {
    if ('target' in request) {
      const link = this.link;
      if (!link || !link.isOpen) return { ok: false, kind: 'disconnected', message: 'not connected' };
      this.stats.requests++;
      const outcome = await link.write(request.unitId, request.target, this.options.timeout);
      if (!outcome.ok && outcome.kind !== 'exception') this.stats.error(outcome.kind);
      this.account(outcome);
      return outcome;
    }
    const retries = request.retries ?? this.options.retries;
    let outcome: ReadOutcome = { ok: false, kind: 'disconnected', message: 'not connected' };
    for (let attempt = 0; attempt <= retries; attempt++) {
      const link = this.link;
      if (!link || !link.isOpen) {
        outcome = { ok: false, kind: 'disconnected', message: 'not connected' };
        break;
      }
      this.stats.requests++;
      const sent = this.clock.monotonic();
      outcome = await link.read(request.unitId, request.table, request.address, request.count, this.options.timeout);
      this.stats.latency.observe((this.clock.monotonic() - sent) / 1000);
      if (outcome.ok || outcome.kind === 'exception') break;
      this.stats.error(outcome.kind);
      if (outcome.kind === 'disconnected') break;
      // timeout or bad frame: on RTU framing let the line go quiet so a late reply is not taken for the next request
      if (this.options.transport !== 'tcp') await sleep(this.clock, this.options.rtuQuietAfterTimeout);
    }
    this.account(outcome);
    return outcome;
  }

  /** Connection-level health: any reply proves the link; only silence or garbage counts against it. */
  private account(outcome: ReadOutcome): void {
    if (outcome.ok || outcome.kind === 'exception') {
      this.failures = 0;
      this.stats.consecutiveFailures = 0;
      if (outcome.ok) this.stats.lastSuccess = this.clock.now();
      if (!this.linkProven) {
        this.linkProven = true;
        this.backoff.reset();
      }
      return;
    }
    if (outcome.kind === 'disconnected') return;
    this.failures++;
    this.stats.consecutiveFailures = this.failures;
    if (this.failures >= this.options.failuresBeforeLost && this.link) {
      this.log.warn({ failures: this.failures, last: outcome.message }, 'modbus connection not answering; rebuilding it');
      this.failures = 0;
      this.dropLink('not answering');
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting || this.link) return;
    this.connecting = true;
    this.reconnectTimer = undefined;
    try {
      const link = await ModbusLink.open(this.options, this.clock);
      if (this.stopped) {
        await link.close();
        return;
      }
      this.link = link;
      this.linkProven = false;
      this.stats.connected = true;
      link.onClose(() => {
        if (this.link === link) this.dropLink('closed by peer');
      });
      this.lastConnectError = undefined;
      this.log.info({ transport: this.options.transport, target: target(this.options) }, 'modbus connected');
    } catch (err) {
      this.stats.error('connect');
      const delay = this.backoff.next();
      const message = (err as Error).message;
      const fields = { target: target(this.options), err: message, retryInMs: delay, attempt: this.backoff.attempts };
      if (message !== this.lastConnectError) this.log.warn(fields, 'modbus connect failed; retrying with backoff');
      else this.log.debug(fields, 'modbus connect failed again');
      this.lastConnectError = message;
      this.schedule(delay);
    } finally {
      this.connecting = false;
    }
  }

  private dropLink(reason: string): void {
    const link = this.link;
    if (!link) return;
    this.link = undefined;
    this.stats.connected = false;
    this.reconnects++;
    this.stats.error('connection_lost');
    void link.close();
    for (const q of this.queue.splice(0)) q.resolve({ ok: false, kind: 'disconnected', message: reason });
    const delay = this.backoff.next();
    this.log.warn({ reason, retryInMs: delay }, 'modbus connection lost');
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = this.clock.setTimer(delay, () => void this.connect());
  }
}

function target(o: LinkOptions): string {
  return o.transport === 'rtu' ? (o.path ?? '') : `${o.host}:${o.port}`;
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}
