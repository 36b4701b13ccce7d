/**
 * The gateway's telemetry storage as the main thread sees it: telemetry.db and spool.db behind one
 * asynchronous interface. `write` resolves once the batch is durable (what a PUBACK waits for).
 *
 * - `WorkerTelemetryStorage` (the default): the stores live in a worker thread
 *   (storage-worker.ts); history queries go to the worker too, as the one owner of the file.
 * - `InlineTelemetryStorage`: the same stores on the calling thread, for runs on a virtual clock
 *   (the month replays), where everything must happen at the virtual time it is made.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../model/clock.ts';
import type { Sample } from '../model/sample.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import type { InfluxTelemetryStatus } from './influx-telemetry.ts';
import type { HistoryQuery, SampleStore } from './sample-store.ts';
import { StorageCore, telemetryFile, type StorageSpec } from './storage-core.ts';
import type { StorageEvent, StorageRequest, StorageWorkerData } from './storage-protocol.ts';
import { toColumns } from './sample-columns.ts';
import { TelemetryMetrics } from './telemetry-metrics.ts';
import { LatencyBuckets, type LatencySnapshot } from '../metrics/latency-buckets.ts';
import { startStrippedWorker } from './stripped-worker.ts';

export interface TelemetryStorage extends SampleStore {
  readonly file: string;
  write(batch: readonly Sample[]): Promise<void>;
  prune(cutoff: number): Promise<number>;
  count(): Promise<number>;
  /** The InfluxDB path's status, when configured. */
  influxStatus(): InfluxTelemetryStatus | undefined;
  /** Group commits so far and the last one's duration. */
  stats(): { readonly mode: 'worker' | 'inline'; readonly commits: number; readonly lastCommitMs: number | null };
  /** Samples committed to telemetry.db since start and the commit durations (for /metrics). */
  commitMetrics(): { readonly samples: number; readonly latency: LatencySnapshot };
}

export interface TelemetryStorageDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly trouble: TroubleBoard;
  readonly registry: Registry;
}

export class InlineTelemetryStorage implements TelemetryStorage {
  readonly file: string;
  private readonly core: StorageCore;
  private commits = 0;
  private samples = 0;
  private readonly latency = new LatencyBuckets();

  constructor(spec: StorageSpec, deps: TelemetryStorageDeps) {
    this.file = telemetryFile(spec.dataDir);
    this.core = new StorageCore(spec, { clock: deps.clock, log: deps.log, trouble: deps.trouble, metrics: (status) => new TelemetryMetrics(deps.registry, status) });
  }

  async write(batch: readonly Sample[]): Promise<void> {
    const started = performance.now();
    this.core.write(batch);
    this.latency.observe((performance.now() - started) / 1000);
    this.samples += batch.length;
    this.commits++;
  }

  commitMetrics(): { samples: number; latency: LatencySnapshot } {
    return { samples: this.samples, latency: this.latency.snapshot() };
  }

  history(q: HistoryQuery): Promise<Sample[]> {
    return this.core.history(q);
  }

  latest(): Promise<Sample[]> {
    return this.core.latest();
  }

  async prune(cutoff: number): Promise<number> {
    return this.core.prune(cutoff);
  }

  async count(): Promise<number> {
    return this.core.count();
  }

  influxStatus(): InfluxTelemetryStatus | undefined {
    return this.core.influxStatus();
  }

  stats(): { mode: 'inline'; commits: number; lastCommitMs: null } {
    return { mode: 'inline', commits: this.commits, lastCommitMs: null };
  }

  close(): Promise<void> {
    return this.core.close();
  }
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

const WORKER_FAILED = 'storage-worker-failed';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The storage worker's young generation (MiB). */
export const STORAGE_WORKER_YOUNG_MB = 6;

export class WorkerTelemetryStorage implements TelemetryStorage {
  readonly file: string;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly deps: TelemetryStorageDeps;
  private nextId = 1;
  private influx: InfluxTelemetryStatus | undefined;
  private metrics: TelemetryMetrics | undefined;
  private commits = 0;
  private samples = 0;
  private readonly latency = new LatencyBuckets();
  private lastCommitMs: number | null = null;
  private failed: Error | undefined;
  private closed = false;

  private constructor(spec: StorageSpec, deps: TelemetryStorageDeps, worker: Worker) {
    this.file = telemetryFile(spec.dataDir);
    this.deps = deps;
    this.worker = worker;
  }

  /** Start the worker; resolves once its stores are open. */
  static async start(spec: StorageSpec, deps: TelemetryStorageDeps): Promise<WorkerTelemetryStorage> {
    const data: StorageWorkerData = { spec, logLevel: deps.log.level };
    // A small young generation: the worker's garbage is short-lived request batches, and each MiB
    // of young generation is resident memory once touched (V8's default grows it to 16 MiB).
    const worker = startStrippedWorker(new URL('./storage-worker.ts', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: STORAGE_WORKER_YOUNG_MB } });
    worker.unref(); // a gateway that failed half-way through start-up must still be able to exit
    const storage = new WorkerTelemetryStorage(spec, deps, worker);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`storage worker failed to start: ${err.message}`));
      worker.once('error', onError);
      worker.on('message', (e: StorageEvent) => {
        if (e.kind === 'ready') {
          worker.off('error', onError);
          storage.influx = e.influx ?? undefined;
          if (spec.influx) storage.metrics = new TelemetryMetrics(deps.registry, () => storage.influx as InfluxTelemetryStatus);
          storage.listen();
          resolve();
          return;
        }
        storage.onEvent(e);
      });
    });
    return storage;
  }

  private listen(): void {
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`storage worker exited (code ${code})`));
    });
  }

  private fail(err: Error): void {
    this.failed = err;
    this.deps.log.error({ err: err.message }, 'storage worker failed: telemetry is not being stored');
    this.deps.trouble.raise(WORKER_FAILED, 'storage', `telemetry storage worker failed: ${err.message}`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private onEvent(e: StorageEvent): void {
    switch (e.kind) {
      case 'reply': {
        const p = this.pending.get(e.id);
        if (!p) return;
        this.pending.delete(e.id);
        if (e.ok) p.resolve(e.result);
        else p.reject(new Error(e.error));
        return;
      }
      case 'commit':
        this.commits++;
        this.lastCommitMs = e.ms;
        this.samples += e.samples;
        this.latency.observe(e.ms / 1000);
        return;
      case 'influx-status':
        this.influx = e.status;
        return;
      case 'influx-write':
        this.metrics?.observeWrite(e.seconds, e.result);
        return;
      case 'trouble':
        if (e.event === 'raised') this.deps.trouble.raise(e.condition.key, e.condition.source, e.condition.message, e.condition.lifeSafety);
        else this.deps.trouble.clear(e.condition.key);
        return;
      case 'ready':
        return;
    }
  }

  private request<T>(req: DistributiveOmit<StorageRequest, 'id'>): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id } as StorageRequest);
    });
  }

  write(batch: readonly Sample[]): Promise<void> {
    if (batch.length === 0) return Promise.resolve();
    return this.request<void>({ op: 'write', samples: toColumns(batch) });
  }

  history(query: HistoryQuery): Promise<Sample[]> {
    return this.request<Sample[]>({ op: 'history', query });
  }

  latest(): Promise<Sample[]> {
    return this.request<Sample[]>({ op: 'latest' });
  }

  prune(cutoff: number): Promise<number> {
    return this.request<number>({ op: 'prune', cutoff });
  }

  count(): Promise<number> {
    return this.request<number>({ op: 'count' });
  }

  influxStatus(): InfluxTelemetryStatus | undefined {
    return this.influx;
  }

  commitMetrics(): { samples: number; latency: LatencySnapshot } {
    return { samples: this.samples, latency: this.latency.snapshot() };
  }

  stats(): { mode: 'worker'; commits: number; lastCommitMs: number | null } {
    return { mode: 'worker', commits: this.commits, lastCommitMs: this.lastCommitMs };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.failed) await this.request<null>({ op: 'close' }).catch((err: unknown) => this.deps.log.warn({ err }, 'storage worker close failed'));
    this.closed = true;
    await this.worker.terminate();
  }
}
