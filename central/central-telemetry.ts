/**
 * The centre's telemetry path, main-thread side: DBIRTH/DDATA metrics → line protocol
 * (telemetry-lines.ts) → the telemetry worker thread (telemetry-worker.ts), which spools them
 * durably and drains the spool into InfluxDB (telemetry-spool.ts). `accept` resolves once the lines
 * are in the spool, so the primary host acknowledges a DDATA (PUBACK) only after it is durable; no
 * SQLite work runs on the main thread, which carries the alarm path and the broker connection (a
 * spool on the main thread held fire alarms up by seconds at 200 sites: central/README.md).
 *
 * If the worker dies, every pending and later `accept` is refused (nothing is acknowledged; the
 * broker delivers those messages again) and the failure is logged.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { InfluxConfig } from '../gateway/storage/influx-schema.ts';
import { metricLines, type DeviceMessage } from './telemetry-lines.ts';
import type { TelemetrySpoolStatus } from './telemetry-spool.ts';
import type { FromTelemetryWorker, TelemetryWorkerData, ToTelemetryWorker } from './telemetry-worker-protocol.ts';

export interface CentralTelemetryStatus extends TelemetrySpoolStatus {
  /** Metrics received in DBIRTH/DDATA. */
  readonly metrics: number;
  /** Metrics not written (no name or timestamp, or neither value nor quality). */
  readonly skippedMetrics: number;
  /** Appends sent to the worker and not yet confirmed. */
  readonly pendingAppends: number;
}

export class CentralTelemetry {
  private readonly worker: Worker;
  private readonly log: Logger;
  private readonly pending = new Map<number, { resolve(): void; reject(err: Error): void }>();
  private nextId = 1;
  private metrics = 0;
  private skipped = 0;
  private latest: TelemetrySpoolStatus | undefined;
  private failed: Error | undefined;
  private readonly ready: Promise<void>;
  private stopped: Promise<void> | undefined;
  private onStopped: (() => void) | undefined;

  constructor(config: InfluxConfig, dataDir: string, log: Logger) {
    this.log = log;
    const workerData: TelemetryWorkerData = { config, dataDir, logLevel: log.level };
    this.worker = new Worker(new URL('./telemetry-worker.ts', import.meta.url), { workerData });
    let readyResolve!: () => void;
    let readyReject!: (err: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.worker.on('message', (m: FromTelemetryWorker) => {
      if (m.type === 'status') {
        this.latest = m.status;
        readyResolve();
      } else if (m.type === 'done') this.settle(m.id);
      else if (m.type === 'failed') this.settle(m.id, new Error(m.error));
      else this.onStopped?.();
    });
    const fail = (err: Error): void => {
      if (this.stopped) return;
      this.failed = err;
      log.error({ err: err.message }, 'telemetry worker failed: telemetry is refused (not acknowledged) until the centre restarts');
      for (const id of [...this.pending.keys()]) this.settle(id, err);
      readyReject(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`telemetry worker exited (${code})`)));
  }

  /** Resolves once the worker has opened the spool (rejects if it could not). */
  start(): Promise<void> {
    return this.ready;
  }

  /** Encode and spool one device message; resolves once it is durable (rejects if it is not). */
  accept(msg: DeviceMessage): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('telemetry stopped'));
    if (this.failed) return Promise.reject(this.failed);
    const out = metricLines(msg);
    this.metrics += msg.metrics.length;
    this.skipped += out.skipped;
    if (out.lines.length === 0) return Promise.resolve();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'append', id, lines: out.lines } satisfies ToTelemetryWorker);
    });
  }

  /** The worker's latest status (sent every second) with this side's counts. */
  status(): CentralTelemetryStatus {
    const s = this.latest as TelemetrySpoolStatus;
    return { ...s, metrics: this.metrics, skippedMetrics: this.skipped, pendingAppends: this.pending.size };
  }

  async stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (!this.failed) {
        const done = new Promise<void>((resolve) => (this.onStopped = resolve));
        this.worker.postMessage({ type: 'stop' } satisfies ToTelemetryWorker);
        await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
      }
      for (const id of [...this.pending.keys()]) this.settle(id, new Error('telemetry stopped'));
      await this.worker.terminate();
      this.log.debug('telemetry worker stopped');
    })();
    return this.stopped;
  }

  private settle(id: number, err?: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve();
  }
}
