/**
 * The InfluxDB telemetry path as the gateway composes it: samples from the bus → line protocol →
 * durable spool (data/spool.db) → writer (v1 `/write` or the v2 client), with metrics.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../model/clock.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { Sample } from '../model/sample.ts';
import type { WalCheckpointer } from '../platform/wal-checkpointer.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import type { InfluxConfig } from './influx-schema.ts';
import { InfluxV1Writer } from './influx-v1-writer.ts';
import { InfluxV2Writer } from './influx-v2-writer.ts';
import { encodeSamples, SameMillisecondTies, seriesKey } from './line-protocol.ts';
import { SqliteSpool } from './sqlite-spool.ts';
import { TelemetryForwarder, type ForwarderStatus } from './telemetry-forwarder.ts';
import type { LineWriter, WriteResult } from './write-result.ts';

export interface InfluxTelemetryDeps {
  readonly dataDir: string;
  readonly devices: readonly DeviceInfo[];
  /** Building id → display name (the `building_name` tag). */
  readonly buildingNames: ReadonlyMap<string, string>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly trouble?: TroubleBoard;
  /**
   * The write metrics (main thread: TelemetryMetrics on the gateway's registry). A factory, so the
   * storage worker, which has no registry, does not load prom-client.
   */
  readonly metrics?: (status: () => ForwarderStatus) => WriteObserver;
  /** Called after each write request (the storage worker forwards it to the main thread's metrics). */
  readonly onWrite?: (seconds: number, result: WriteResult['kind']) => void;
  /** Spool append durability (default FULL; the storage worker uses NORMAL, see README). */
  readonly spoolSync?: 'FULL' | 'NORMAL';
  /** Fold spool.db's write-ahead log on this thread (the storage worker's). */
  readonly checkpointer?: WalCheckpointer;
}

export interface InfluxTelemetryStatus extends ForwarderStatus {
  readonly spoolFile: string;
  /** Samples not written because they had bad quality, an unknown device or a NaN/∞ value. */
  readonly skippedSamples: number;
}

export function createWriter(config: InfluxConfig, clock: Clock): LineWriter {
  return config.version === 1 ? new InfluxV1Writer(config, clock) : new InfluxV2Writer(config, clock);
}

/** The series key (`measurement,tags`) of every configured device. */
export function deviceSeries(devices: readonly DeviceInfo[], buildingNames: ReadonlyMap<string, string>): Map<string, string> {
  return new Map(
    devices.map((d) => [
      d.id,
      seriesKey({
        measurement: d.kind,
        tags: {
          site: d.location.site,
          building: d.location.building,
          building_name: buildingNames.get(d.location.building) ?? '',
          floor: d.location.floor,
          device: d.id,
        },
      }),
    ]),
  );
}

export interface WriteObserver {
  observeWrite(seconds: number, result: WriteResult['kind']): void;
}

export class InfluxTelemetry {
  readonly forwarder: TelemetryForwarder;
  readonly spool: SqliteSpool;
  private readonly series: Map<string, string>;
  private readonly spoolFile: string;
  private skipped = 0;
  private readonly ties = new SameMillisecondTies();

  constructor(config: InfluxConfig, deps: InfluxTelemetryDeps) {
    this.spoolFile = join(deps.dataDir, config.spool.file);
    this.spool = new SqliteSpool(this.spoolFile, {
      maxBytes: config.spool.maxSize,
      ...(deps.spoolSync ? { appendSync: deps.spoolSync } : {}),
      ...(deps.checkpointer ? { checkpointer: deps.checkpointer } : {}),
    });
    this.series = deviceSeries(deps.devices, deps.buildingNames);
    let metrics: WriteObserver | undefined;
    this.forwarder = new TelemetryForwarder({
      spool: this.spool,
      writer: createWriter(config, deps.clock),
      clock: deps.clock,
      log: deps.log,
      batchSize: config.batchSize,
      flushIntervalMs: config.flushInterval,
      drainLinesPerSecond: config.drainLinesPerSecond,
      requestTimeoutMs: config.timeout,
      retryMinMs: config.retryMin,
      retryMaxMs: Math.max(config.retryMin, config.retryMax),
      ...(deps.trouble ? { trouble: deps.trouble } : {}),
      onWrite: (seconds, result) => {
        metrics?.observeWrite(seconds, result);
        deps.onWrite?.(seconds, result);
      },
    });
    if (deps.metrics) metrics = deps.metrics(() => this.forwarder.status());
  }

  start(): void {
    this.forwarder.start();
  }

  /** Bus handler: encode and spool (durable when this returns). */
  accept(batch: readonly Sample[]): void {
    const out = encodeSamples(batch, (device) => this.series.get(device), this.ties);
    this.skipped += out.skipped;
    this.forwarder.append(out.lines);
  }

  status(): InfluxTelemetryStatus {
    return { ...this.forwarder.status(), spoolFile: this.spoolFile, skippedSamples: this.skipped };
  }

  async stop(): Promise<void> {
    await this.forwarder.stop();
    this.spool.close();
  }
}
