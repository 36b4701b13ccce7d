/**
 * What the storage worker runs (and what runs inline on the main thread for virtual-time replays):
 * the SQLite sample store (telemetry.db) and, when configured, the InfluxDB path (spool.db →
 * forwarder → writer). One `write` stores a batch in both, each in one transaction.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../model/clock.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { Sample } from '../model/sample.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import type { InfluxConfig } from './influx-schema.ts';
import { InfluxTelemetry, type InfluxTelemetryStatus } from './influx-telemetry.ts';
import type { HistoryQuery } from './sample-store.ts';
import { SqliteSampleStore } from './sqlite-sample-store.ts';
import type { WriteResult } from './write-result.ts';

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
  readonly registry?: Registry;
  readonly onWrite?: (seconds: number, result: WriteResult['kind']) => void;
  readonly spoolSync?: 'FULL' | 'NORMAL';
}

export function telemetryFile(dataDir: string): string {
  return join(dataDir, 'telemetry.db');
}

export class StorageCore {
  readonly store: SqliteSampleStore;
  readonly influx: InfluxTelemetry | undefined;

  constructor(spec: StorageSpec, deps: StorageCoreDeps) {
    this.store = new SqliteSampleStore(telemetryFile(spec.dataDir));
    if (spec.influx) {
      this.influx = new InfluxTelemetry(spec.influx, {
        dataDir: spec.dataDir,
        devices: spec.devices,
        buildingNames: new Map(spec.buildingNames),
        clock: deps.clock,
        log: deps.log,
        ...(deps.trouble ? { trouble: deps.trouble } : {}),
        ...(deps.registry ? { registry: deps.registry } : {}),
        ...(deps.onWrite ? { onWrite: deps.onWrite } : {}),
        ...(deps.spoolSync ? { spoolSync: deps.spoolSync } : {}),
      });
      this.influx.start();
    }
  }

  /** Durable in telemetry.db (and spool.db) when this returns. */
  write(batch: readonly Sample[]): void {
    if (batch.length === 0) return;
    this.store.write(batch);
    this.influx?.accept(batch);
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
  }
}
