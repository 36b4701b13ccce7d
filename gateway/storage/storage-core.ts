/**
 * What the storage worker runs (and what runs inline on the main thread for virtual-time replays):
 * the SQLite sample store (telemetry.db) and, when configured, the InfluxDB path (spool.db →
 * forwarder → writer). One `write` stores a batch in both, each in one transaction.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../model/clock.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { Sample } from '../model/sample.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import type { InfluxConfig } from './influx-schema.ts';
import { InfluxTelemetry, type InfluxTelemetryDeps, type InfluxTelemetryStatus } from './influx-telemetry.ts';
import type { HistoryQuery } from './sample-store.ts';
import { SqliteSampleStore } from './sqlite-sample-store.ts';
import type { WriteResult } from './write-result.ts';
import { WalCheckpointer } from '../platform/wal-checkpointer.ts';
import { StorageReserve } from '../platform/storage-reserve.ts';
import { freeBytes } from '../platform/free-bytes.ts';
import { isDiskFull, WriteHealth, writeFailureOf } from '../platform/write-health.ts';

/** The trouble condition of local telemetry storage (telemetry.db) failing or out of space. */
export const TELEMETRY_STORAGE_TROUBLE = 'storage.telemetry';
/** Free space (bytes) the data directory's file system needs before the disk counts as having room again. */
export const TELEMETRY_ROOM_BYTES = 1024 * 1024;
/**
 * Real blocks kept beside telemetry.db (telemetry.db.reserve). On a full disk they are released so
 * the write-ahead log (at most WAL_AUTOCHECKPOINT_PAGES, or WAL_AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER
 * in the storage worker: 1.9 MiB with frame headers) can be folded into the database file and
 * the eviction itself (a DELETE writes pages too) has room; written back when the disk has room
 * again.
 */
export const TELEMETRY_RESERVE_BYTES = 2 * 1024 * 1024;
/** Eviction rounds per write on a full disk; each deletes twice as many of the oldest samples as the last. */
const EVICTION_ROUNDS = 6;
const FIRST_EVICTION = 1_000;

/** Everything needed to open the stores; structured-cloneable, so it can be a worker's workerData. */
export interface StorageSpec {
  readonly dataDir: string;
  readonly influx?: InfluxConfig;
  readonly devices: readonly DeviceInfo[];
  /** Building id → display name, as entries. */
  readonly buildingNames: ReadonlyArray<readonly [string, string]>;
}

export interface StorageCoreDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly trouble?: TroubleBoard;
  readonly metrics?: InfluxTelemetryDeps['metrics'];
  readonly onWrite?: (seconds: number, result: WriteResult['kind']) => void;
  readonly spoolSync?: 'FULL' | 'NORMAL';
  /**
   * Fold telemetry.db's and spool.db's write-ahead logs on a thread of their own (the storage
   * worker), not inside the commits (see gateway/platform/wal-checkpointer.ts).
   */
  readonly backgroundCheckpoints?: boolean;
}

export function telemetryFile(dataDir: string): string {
  return join(dataDir, 'telemetry.db');
}

export class StorageCore {
  readonly store: SqliteSampleStore;
  readonly influx: InfluxTelemetry | undefined;
  /** The real SQLite error of telemetry.db, logged once per state change. */
  readonly health: WriteHealth;
  private readonly dataDir: string;
  private readonly clock: Clock;
  private readonly trouble: TroubleBoard | undefined;
  /** Samples evicted (oldest first) since the disk last filled. */
  evicted = 0;
  private lastRoomCheck = -Infinity;
  private readonly reserve: StorageReserve;
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(spec: StorageSpec, deps: StorageCoreDeps) {
    this.dataDir = spec.dataDir;
    this.clock = deps.clock;
    this.trouble = deps.trouble;
    this.health = new WriteHealth(deps.log, 'telemetry.db');
    this.health.onChange((f) => this.troubleChanged(f));
    this.checkpointer = deps.backgroundCheckpoints
      ? new WalCheckpointer((error) => deps.log.warn({ error }, 'write-ahead log checkpoint failed; the commits fold their logs themselves'))
      : undefined;
    this.store = new SqliteSampleStore(telemetryFile(spec.dataDir), this.checkpointer ? { checkpointer: this.checkpointer } : {});
    this.reserve = new StorageReserve(`${telemetryFile(spec.dataDir)}.reserve`, TELEMETRY_RESERVE_BYTES);
    this.reserve.ensure();
    if (spec.influx) {
      this.influx = new InfluxTelemetry(spec.influx, {
        dataDir: spec.dataDir,
        devices: spec.devices,
        buildingNames: new Map(spec.buildingNames),
        clock: deps.clock,
        log: deps.log,
        ...(deps.trouble ? { trouble: deps.trouble } : {}),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        ...(deps.onWrite ? { onWrite: deps.onWrite } : {}),
        ...(deps.spoolSync ? { spoolSync: deps.spoolSync } : {}),
        ...(this.checkpointer ? { checkpointer: this.checkpointer } : {}),
      });
      this.influx.start();
    }
  }

  /**
   * Durable in telemetry.db (and spool.db) when this returns; throws (nothing acknowledged) when
   * the batch could not be stored.
   *
   * On a full disk (SQLITE_FULL) the oldest telemetry is evicted, in growing rounds, until the
   * batch fits in the pages freed: the `storage.telemetry` trouble is raised at once and stays
   * until the file system has room again (TELEMETRY_ROOM_BYTES free), the real error is logged
   * once per state change, and telemetry never takes space beyond what it already holds while
   * the disk is full (gateway.db keeps its own reserve for alarms and work orders).
   */
  write(batch: readonly Sample[]): void {
    if (batch.length === 0) return;
    this.storeWithEviction(batch);
    this.influx?.accept(batch);
    this.checkRoom();
  }

  private storeWithEviction(batch: readonly Sample[]): void {
    let rows = Math.max(FIRST_EVICTION, batch.length);
    for (let round = 0; ; round++) {
      try {
        this.store.write(batch);
        return;
      } catch (err) {
        const failure = writeFailureOf(err);
        this.health.failed(err, 'storing telemetry');
        if (!isDiskFull(failure) || round >= EVICTION_ROUNDS) throw err;
        if (this.reserve.release()) this.store.checkpoint(); // fold the log into the file, give its blocks back
        let removed: number;
        try {
          removed = this.store.evictOldest(rows);
        } catch (evictErr) {
          this.health.failed(evictErr, 'evicting the oldest telemetry');
          throw err;
        }
        // move the log into the freed pages and give the log's blocks back (best effort)
        this.store.checkpoint();
        if (removed === 0) throw err; // nothing left to give up: the batch is refused
        this.evicted += removed;
        rows *= 2;
      }
    }
  }

  /** While failing: clear once the disk has room again (checked at most once a second). */
  private checkRoom(): void {
    if (this.health.failing === null) return;
    const now = this.clock.now();
    if (now - this.lastRoomCheck < 1_000) return;
    this.lastRoomCheck = now;
    if (freeBytes(this.dataDir) < TELEMETRY_ROOM_BYTES + TELEMETRY_RESERVE_BYTES) return;
    if (!this.reserve.ensure()) return;
    this.health.ok();
    this.evicted = 0;
  }

  private troubleChanged(failing: ReturnType<typeof writeFailureOf> | null): void {
    if (failing === null) this.trouble?.clear(TELEMETRY_STORAGE_TROUBLE);
    else this.raiseTrouble();
  }

  private raiseTrouble(): void {
    const f = this.health.failing;
    if (!f) return;
    const full = isDiskFull(f);
    const what = full
      ? `local telemetry storage (telemetry.db) out of space: ${f.code}: ${f.message}; the oldest samples are evicted to make room, telemetry not stored is not acknowledged`
      : `local telemetry storage (telemetry.db) failing: ${f.code}: ${f.message}; telemetry not stored is not acknowledged`;
    this.trouble?.raise(TELEMETRY_STORAGE_TROUBLE, 'storage', what);
  }

  history(q: HistoryQuery): Promise<Sample[]> {
    return this.store.history(q);
  }

  latest(): Promise<Sample[]> {
    return this.store.latest();
  }

  prune(cutoff: number): number {
    return this.store.prune(cutoff);
  }

  count(): number {
    return this.store.count();
  }

  influxStatus(): InfluxTelemetryStatus | undefined {
    return this.influx?.status();
  }

  async close(): Promise<void> {
    await this.influx?.stop();
    await this.store.close();
    await this.checkpointer?.close();
  }
}
