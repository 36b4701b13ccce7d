/**
 * Rows for `sample_recent`, buffered and inserted in multi-row statements (gateway/platform/
 * multi-row-insert.ts): a full statement's worth goes in as soon as it is buffered, the rest at `flush`.
 */
import type { DatabaseSync } from 'node:sqlite';
import { MULTI_ROW_CHUNK, MultiRowInsert, type RowValue } from '../platform/multi-row-insert.ts';
import { SAMPLE_COLUMNS } from './sample-tables.ts';

export type { RowValue };

export class RecentRowWriter {
  private readonly insert: MultiRowInsert;
  private readonly values: RowValue[] = [];

  constructor(db: DatabaseSync) {
    this.insert = new MultiRowInsert(db, 'sample_recent', SAMPLE_COLUMNS.split(', '));
  }

  /** Buffer one row of series `sid` (inserted by a later `add` or `flush`, in the same transaction). */
  add(sid: number, ts: number, seq: number, value: RowValue, vtype: number, quality: number, reason: string | null): void {
    this.values.push(sid, ts, seq, value, vtype, quality, reason);
    if (this.values.length === MULTI_ROW_CHUNK * this.insert.width) this.flush();
  }

  /** Insert every buffered row now. */
  flush(): void {
    try {
      this.insert.run(this.values);
    } finally {
      this.values.length = 0;
    }
  }

  /** Forget the buffered rows (the transaction they belonged to is given up). */
  clear(): void {
    this.values.length = 0;
  }
}
