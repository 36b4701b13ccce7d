/** The unit of telemetry flowing through the gateway. Imports nothing of ours. */

export type Quality = 'good' | 'uncertain' | 'bad';

export type PointValue = number | boolean | string;

export interface Sample {
  /** Device id as declared in the site config. */
  readonly device: string;
  /** Canonical point name from the device kind's profile (e.g. `discharge_bar`). */
  readonly point: string;
  readonly value: PointValue;
  /** Epoch milliseconds, as measured at the source when known, else on arrival. */
  readonly ts: number;
  readonly quality: Quality;
}

/** Where connectors deliver samples. `push` must never block the caller. */
export interface SampleSink {
  push(batch: readonly Sample[]): void;
}
