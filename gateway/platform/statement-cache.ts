/**
 * Prepared statements kept by their SQL text, for queries built from optional filters (one shape
 * per combination given). Preparing can cost more than running such a query on a few rows. Bounded:
 * past `limit` shapes the cache starts again.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export class StatementCache {
  private readonly db: DatabaseSync;
  private readonly limit: number;
  private readonly kept = new Map<string, StatementSync>();

  constructor(db: DatabaseSync, limit = 64) {
    this.db = db;
    this.limit = limit;
  }

  get(sql: string): StatementSync {
    let st = this.kept.get(sql);
    if (st === undefined) {
      if (this.kept.size >= this.limit) this.kept.clear();
      st = this.db.prepare(sql);
      this.kept.set(sql, st);
    }
    return st;
  }
}
