/** The unit of telemetry flowing through the gateway. Imports nothing of ours. */

export type Quality = 'good' | 'uncertain' | 'bad';

export type PointValue = number | boolean | string;

export interface Sample {
  /** Device id as declared in the site config. */
  readonly device: string;
  /** Canonical point name from the device kind's profile (e.g. `discharge_bar`). */
  readonly point: string;
  /** null when nothing trustworthy was read; a null value never has quality `good`. */
  readonly value: PointValue | null;
  /** Epoch milliseconds, as measured at the source when known, else on arrival. */
  readonly ts: number;
  readonly quality: Quality;
  /** Why the quality is not `good`, e.g. REASON.notYetRead, REASON.commsLost, 'modbus exception 2'. */
  readonly reason?: string;
}

/** Reasons every connector uses in the same words (the live view derives comms state from them). */
export const REASON = { notYetRead: 'not yet read', commsLost: 'comms lost' } as const;

/** Where connectors deliver samples. `push` must never block the caller. */
export interface SampleSink {
  push(batch: readonly Sample[]): void;
}
