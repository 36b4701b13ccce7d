/**
 * The centre's telemetry spool and its InfluxDB forwarder (run in the telemetry worker thread,
 * telemetry-worker.ts): lines → the gateway's durable SQLite spool (`<dataDir>/<influx.spool.file>`,
 * WAL, synchronous=NORMAL: a committed append survives a kill -9 of the process; only a power
 * failure or OS crash can lose the last commits, as for the gateway's own telemetry) → the gateway's
 * forwarder and writer (InfluxDB 1.x `/write` or the 2.x client), which drain it on their own:
 * an InfluxDB outage holds nothing up and loses nothing.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RealClock } from '../gateway/model/clock.ts';
import { createWriter } from '../gateway/storage/influx-telemetry.ts';
import type { InfluxConfig } from '../gateway/storage/influx-schema.ts';
import { SqliteSpool } from '../gateway/storage/sqlite-spool.ts';
import { TelemetryForwarder, type ForwarderStatus } from '../gateway/storage/telemetry-forwarder.ts';

export interface TelemetrySpoolStatus extends ForwarderStatus {
  readonly spoolFile: string;
  /** Spool transactions (group commits). */
  readonly spoolCommits: number;
}

export class TelemetrySpool {
  private readonly spool: SqliteSpool;
  private readonly forwarder: TelemetryForwarder;
  private readonly spoolFile: string;
  private stopped = false;
  /** Lines waiting for the next group commit, and who waits for it. */
  private group: { lines: string[]; waiters: Array<{ resolve(): void; reject(err: Error): void }> } = { lines: [], waiters: [] };
  private commits = 0;

  constructor(config: InfluxConfig, dataDir: string, log: Logger) {
    const clock = new RealClock();
    mkdirSync(dataDir, { recursive: true });
    this.spoolFile = join(dataDir, config.spool.file);
    this.spool = new SqliteSpool(this.spoolFile, { maxBytes: config.spool.maxSize, appendSync: 'NORMAL' });
    this.forwarder = new TelemetryForwarder({
      spool: this.spool,
      writer: createWriter(config, clock),
      clock,
      log,
      batchSize: config.batchSize,
      flushIntervalMs: config.flushInterval,
      drainLinesPerSecond: config.drainLinesPerSecond,
      requestTimeoutMs: config.timeout,
      retryMinMs: config.retryMin,
      retryMaxMs: Math.max(config.retryMin, config.retryMax),
    });
  }

  start(): void {
    this.forwarder.start();
  }

  /**
   * Spool lines; resolves once they are durable (rejects if the spool cannot take them). Lines
   * appended in the same turn of the event loop share one spool transaction (group commit).
   */
  append(lines: readonly string[]): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('telemetry stopped')); // not spooled: not acknowledged
    if (lines.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.group.lines.push(...lines);
      this.group.waiters.push({ resolve, reject });
      if (this.group.waiters.length === 1) setImmediate(() => this.commit());
    });
  }

  private commit(): void {
    const g = this.group;
    this.group = { lines: [], waiters: [] };
    try {
      if (this.stopped) throw new Error('telemetry stopped');
      this.forwarder.append(g.lines);
      this.commits++;
    } catch (err) {
      for (const w of g.waiters) w.reject(err as Error);
      return;
    }
    for (const w of g.waiters) w.resolve();
  }

  status(): TelemetrySpoolStatus {
    return { ...this.forwarder.status(), spoolFile: this.spoolFile, spoolCommits: this.commits };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.forwarder.stop();
    this.spool.close();
  }
}
