import type { Logger } from 'pino';
import type { Clock } from '../model/clock.ts';
import type { EmbeddedBrokerAccess } from '../platform/broker-access.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { SampleSink } from '../model/sample.ts';
import type { ConditionSink } from '../model/source-condition.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import type { BrokerIngestPort } from '../broker/broker-ingest.ts';
import { LatencyBuckets, type LatencySnapshot } from '../metrics/latency-buckets.ts';

/** What /api/health shows for one connection. */
export interface ConnectionHealth {
  readonly id: string;
  readonly type: string;
  readonly connected: boolean;
  /** Epoch ms of the last successful exchange (message, poll, notification). */
  readonly lastSuccess: number | null;
  readonly consecutiveFailures: number;
  readonly samples: number;
  readonly requests: number;
  /** Error counts by kind, e.g. `{ bad_payload: 3, timeout: 1 }`. */
  readonly errors: Readonly<Record<string, number>>;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface Connector {
  readonly id: string;
  start(out: SampleSink): Promise<void>;
  stop(): Promise<void>;
  health(): ConnectionHealth;
  /** Request round trips (polls, connects) in histogram buckets, for connectors that make requests. */
  requestLatency?(): LatencySnapshot;
  /** Send a command its binding maps to a write; absent: the protocol cannot write. */
  command?(request: CommandRequest): Promise<CommandOutcome>;
  /** The commands a running device's binding maps to writes (none when absent). */
  mappedCommands?(device: string): readonly string[];
  /** Acknowledge a condition at its source (OPC UA Acknowledge); absent: the protocol has no conditions. */
  acknowledgeCondition?(request: ConditionAckRequest): Promise<ConditionAckOutcome>;
}

/** An operator's acknowledge of a source condition, passed back to the source. */
export interface ConditionAckRequest {
  readonly device: string;
  readonly conditionId: string;
  /** The EventId (hex) the gateway last saw; the connector uses a newer one when it has it. */
  readonly eventId?: string;
  /** Names the operator (the comment the source stores with its acknowledge). */
  readonly comment: string;
}

/**
 * `acknowledged`: the source took it (Good); `already`: the source had it acknowledged already;
 * `failed`: not delivered or refused (no connection, unknown condition, a Bad status).
 */
export interface ConditionAckOutcome {
  readonly result: 'acknowledged' | 'already' | 'failed';
  /** The status the source answered, or why nothing was sent. */
  readonly detail: string;
}

/** A command to one device (gateway/commands/ has already checked who may send it). */
export interface CommandRequest {
  readonly device: string;
  readonly command: string;
  /** How long the read-back may take to show the written value. */
  readonly confirmTimeout: number;
}

/**
 * What became of a command. `confirmed`: written and read back as written within the timeout;
 * `not_confirmed`: written, but the read-back never showed it; `failed`: not written (refused by
 * the device, no connection, no mapping). Never assumed: without a read-back there is no `confirmed`.
 */
export interface CommandOutcome {
  readonly result: 'confirmed' | 'not_confirmed' | 'failed';
  /** What was written where, and what the read-back or the failure said. */
  readonly detail: string;
}

/** A device bound to a connector, with its (type-specific, already validated) binding. */
export interface BoundDevice {
  readonly info: DeviceInfo;
  readonly binding: Readonly<Record<string, unknown>>;
}

/** What a connector gets from the runtime: nothing of the gateway's insides. */
export interface ConnectorContext {
  readonly clock: Clock;
  readonly log: Logger;
  readonly devices: readonly BoundDevice[];
  readonly trouble: TroubleBoard;
  /** Address of the embedded broker when one runs (MQTT connectors with url `embedded`). */
  readonly embeddedBrokerUrl?: string;
  /** The embedded broker's internal credential and reserved client ids (used instead of the config's for url `embedded`). */
  readonly embeddedBroker?: EmbeddedBrokerAccess;
  /** The embedded broker's in-process ingestion (MQTT connectors with url `embedded`). */
  readonly embeddedIngest?: BrokerIngestPort;
  /** The storage data directory (connectors keep their files under it, e.g. the OPC UA PKI folder). */
  readonly dataDir?: string;
  /** Random source of the retry jitter (tests inject a fixed one); Math.random when absent. */
  readonly random?: () => number;
  /** Device times further ahead of arrival than this are clamped to arrival (`deviceDefaults.maxClockSkew`). */
  readonly maxClockSkew?: number;
  /** Where conditions a device raises itself go (OPC UA Alarms & Conditions); absent: not forwarded. */
  readonly conditions?: ConditionSink;
}

/** Counters every connector keeps; `snapshot` turns them into the health shape. */
export class ConnectorStats {
  connected = false;
  lastSuccess: number | null = null;
  consecutiveFailures = 0;
  samples = 0;
  requests = 0;
  readonly errors: Record<string, number> = {};
  /** Round trips of requests (a Modbus read, an OPC UA connect), observed by the connector. */
  readonly latency = new LatencyBuckets();

  error(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  snapshot(id: string, type: string, detail?: Record<string, unknown>): ConnectionHealth {
    return {
      id,
      type,
      connected: this.connected,
      lastSuccess: this.lastSuccess,
      consecutiveFailures: this.consecutiveFailures,
      samples: this.samples,
      requests: this.requests,
      errors: { ...this.errors },
      ...(detail ? { detail } : {}),
    };
  }
}
