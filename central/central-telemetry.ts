/**
 * The centre's telemetry path: DBIRTH/DDATA metrics → line protocol (telemetry-lines.ts) → the
 * gateway's durable SQLite spool (`<dataDir>/<influx.spool.file>`, synchronous=FULL) → the gateway's
 * forwarder and writer (InfluxDB 1.x `/write` or the 2.x client). `accept` resolves once the lines
 * are in the spool, so the primary host acknowledges a DDATA (PUBACK) only after it is durable; the
 * forwarder drains the spool into InfluxDB independently, so an InfluxDB outage holds nothing up
 * (alarms go to PostgreSQL on their own path) and loses nothing (the spool is drained when it is
 * back, oldest first, with the original timestamps).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RealClock } from '../gateway/model/clock.ts';
import { createWriter } from '../gateway/storage/influx-telemetry.ts';
import type { InfluxConfig } from '../gateway/storage/influx-schema.ts';
import { SqliteSpool } from '../gateway/storage/sqlite-spool.ts';
import { TelemetryForwarder, type ForwarderStatus } from '../gateway/storage/telemetry-forwarder.ts';
import { metricLines, type DeviceMessage } from './telemetry-lines.ts';

export interface CentralTelemetryStatus extends ForwarderStatus {
  readonly spoolFile: string;
  /** Metrics received in DBIRTH/DDATA. */
  readonly metrics: number;
  /** Metrics not written (no name or timestamp, or neither value nor quality). */
  readonly skippedMetrics: number;
  /** Spool transactions (group commits). */
  readonly spoolCommits: number;
}

export class CentralTelemetry {
  private readonly spool: SqliteSpool;
  private readonly forwarder: TelemetryForwarder;
  private readonly spoolFile: string;
  private metrics = 0;
  private skipped = 0;
  private stopped = false;
  /** Lines waiting for the next group commit, and who waits for it. */
  private group: { lines: string[]; waiters: Array<{ resolve(): void; reject(err: Error): void }> } = { lines: [], waiters: [] };
  private commits = 0;

  constructor(config: InfluxConfig, dataDir: string, log: Logger) {
    const clock = new RealClock();
    mkdirSync(dataDir, { recursive: true });
    this.spoolFile = join(dataDir, config.spool.file);
    this.spool = new SqliteSpool(this.spoolFile, { maxBytes: config.spool.maxSize });
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
   * Encode and spool one device message; resolves once it is durable (rejects if the spool cannot
   * take it). Messages accepted in the same turn of the event loop share one spool transaction
   * (group commit: one fsync for all of them).
   */
  accept(msg: DeviceMessage): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('telemetry stopped')); // not spooled: not acknowledged
    const out = metricLines(msg);
    this.metrics += msg.metrics.length;
    this.skipped += out.skipped;
    if (out.lines.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.group.lines.push(...out.lines);
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

  status(): CentralTelemetryStatus {
    return { ...this.forwarder.status(), spoolFile: this.spoolFile, metrics: this.metrics, skippedMetrics: this.skipped, spoolCommits: this.commits };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.forwarder.stop();
    this.spool.close();
  }
}
