/**
 * Rows for `sample_recent`, inserted in multi-row statements: one node:sqlite `run()` per row cost
 * more (the call, its bindings' bookkeeping, a step and a reset, the result object) than SQLite's
 * work on the row itself. Rows wait in a buffer and go in by INSERT_CHUNK_ROWS, the rest in
 * statements of halving size (powers of two: at most seven statements per flush beyond the chunks).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { SAMPLE_COLUMNS } from './sample-tables.ts';

/** Values per row: SAMPLE_COLUMNS (device, point, ts, seq, value, vtype, quality, reason). */
const COLUMNS = 8;
/** Rows per multi-row INSERT (8 × 64 = 512 parameters). */
export const INSERT_CHUNK_ROWS = 64;

export type RowValue = number | string | null;

export class RecentRowWriter {
  private readonly db: DatabaseSync;
  private readonly bySize = new Map<number, StatementSync>();
  private readonly values: RowValue[] = [];

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Buffer one row (inserted by a later `add` or `flush`, in the same transaction). */
  add(device: string, point: string, ts: number, seq: number, value: RowValue, vtype: number, quality: number, reason: string | null): void {
    this.values.push(device, point, ts, seq, value, vtype, quality, reason);
    if (this.values.length === INSERT_CHUNK_ROWS * COLUMNS) this.flush();
  }

  /** Insert every buffered row now. */
  flush(): void {
    const values = this.values;
    try {
      let at = 0;
      let left = values.length / COLUMNS;
      for (let size = INSERT_CHUNK_ROWS; left > 0; size >>= 1) {
        if (size > left) continue;
        const statement = this.statement(size);
        for (; left >= size; left -= size, at += size * COLUMNS) {
          statement.run(...(at === 0 && values.length === size * COLUMNS ? values : values.slice(at, at + size * COLUMNS)));
        }
      }
    } finally {
      values.length = 0;
    }
  }

  /** Forget the buffered rows (the transaction they belonged to is given up). */
  clear(): void {
    this.values.length = 0;
  }

  private statement(size: number): StatementSync {
    let statement = this.bySize.get(size);
    if (statement === undefined) {
      const row = `(${Array.from({ length: COLUMNS }, () => '?').join(', ')})`;
      statement = this.db.prepare(`INSERT INTO sample_recent (${SAMPLE_COLUMNS}) VALUES ${Array.from({ length: size }, () => row).join(', ')}`);
      this.bySize.set(size, statement);
    }
    return statement;
  }
}
