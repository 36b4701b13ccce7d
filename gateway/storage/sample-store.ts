/** What the history API and the live view need from a telemetry store, whichever holds the data. */
import type { Sample } from '../model/sample.ts';

export interface HistoryQuery {
  readonly device: string;
  readonly point: string;
  readonly from: number;
  readonly to: number;
  readonly limit: number;
}

export interface SampleStore {
  write(batch: readonly Sample[]): void | Promise<void>;
  history(query: HistoryQuery): Promise<Sample[]>;
  /** The newest sample of every series, to seed the live view after a restart. */
  latest(): Promise<Sample[]>;
  close(): Promise<void>;
}
