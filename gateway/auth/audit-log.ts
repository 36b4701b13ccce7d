/** Who did what, when: operator and admin actions (login, ack, shelve, close, ...) in SQLite. */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../model/clock.ts';

export interface AuditEntry {
  readonly at: number;
  readonly username: string;
  readonly action: string;
  readonly target: string | null;
  readonly detail: Record<string, unknown> | null;
}

export class AuditLog {
  private readonly db: DatabaseSync;
  private readonly clock: Clock;

  constructor(db: DatabaseSync, clock: Clock) {
    this.db = db;
    this.clock = clock;
    db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
      id INTEGER PRIMARY KEY, at INTEGER NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT
    ); CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);`);
  }

  record(username: string, action: string, target?: string, detail?: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO audit_log (at, username, action, target, detail) VALUES (?, ?, ?, ?, ?)')
      .run(this.clock.now(), username, action, target ?? null, detail ? JSON.stringify(detail) : null);
  }

  list(options: { from?: number; to?: number; username?: string; limit?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(
        'SELECT at, username, action, target, detail FROM audit_log WHERE at >= ? AND at <= ? AND (? IS NULL OR username = ?) ORDER BY id DESC LIMIT ?',
      )
      .all(options.from ?? 0, options.to ?? Number.MAX_SAFE_INTEGER, options.username ?? null, options.username ?? null, options.limit ?? 500) as Array<{
      at: number;
      username: string;
      action: string;
      target: string | null;
      detail: string | null;
    }>;
    return rows.map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }));
  }
}
