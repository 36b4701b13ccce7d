/**
 * INSERTs of many rows per statement. One node:sqlite `run()` per row costs more (the call, its
 * bindings' bookkeeping, a step and a reset, the result object) than SQLite's work on the row. Rows
 * go in by statements of MULTI_ROW_CHUNK rows, the rest in statements of halving size (powers of two:
 * at most seven statements beyond the full ones); each size is prepared once.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export type RowValue = number | string | null;

/** Rows per full statement. */
export const MULTI_ROW_CHUNK = 64;

export class MultiRowInsert {
  private readonly db: DatabaseSync;
  private readonly head: string;
  private readonly row: string;
  /** Values per row. */
  readonly width: number;
  private readonly bySize = new Map<number, StatementSync>();

  constructor(db: DatabaseSync, table: string, columns: readonly string[]) {
    this.db = db;
    this.width = columns.length;
    this.head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    this.row = `(${columns.map(() => '?').join(', ')})`;
  }

  /**
   * Insert `values` (`width` per row, in row order). `inserted` hears each statement's last rowid,
   * its row count and the index of its first row (a table with AUTOINCREMENT gives the rows of one
   * statement consecutive ids).
   */
  run(values: readonly RowValue[], inserted?: (lastRowid: number, rows: number, firstRow: number) => void): void {
    const total = values.length / this.width;
    for (let first = 0; first < total; ) {
      let rows = MULTI_ROW_CHUNK;
      while (rows > total - first) rows >>= 1;
      const args = rows === total ? values : values.slice(first * this.width, (first + rows) * this.width);
      const { lastInsertRowid } = this.statement(rows).run(...args);
      inserted?.(Number(lastInsertRowid), rows, first);
      first += rows;
    }
  }

  private statement(rows: number): StatementSync {
    let statement = this.bySize.get(rows);
    if (statement === undefined) {
      statement = this.db.prepare(this.head + Array.from({ length: rows }, () => this.row).join(', '));
      this.bySize.set(rows, statement);
    }
    return statement;
  }
}
