/**
 * Who did what, when, from where: every accepted change through the API (session or contractor
 * token), logins, refusals, in SQLite (data/gateway.db), kept 5 years by default (service records).
 *
 * Tamper evidence: each row carries `hash = sha256(previous row's hash + "\n" + the row's canonical
 * JSON)`, so changing, inserting or deleting a row in the middle breaks the chain from that row on;
 * `verify()` finds the first broken row. Retention removes the oldest rows and remembers the hash the
 * remaining chain starts from (`audit_anchor`). Deleting the newest rows leaves a shorter but valid
 * chain: compare `head()` with a copy kept elsewhere (the CSV export carries every row's hash).
 */
import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../model/clock.ts';

export interface AuditInput {
  readonly username: string;
  readonly action: string;
  readonly target?: string | undefined;
  readonly detail?: Record<string, unknown> | undefined;
  readonly role?: string | undefined;
  /** The client address (honours api.trustProxy). */
  readonly address?: string | undefined;
  /** `token` when the caller used an API token rather than a login session. */
  readonly via?: string | undefined;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly username: string;
  readonly role: string | null;
  readonly address: string | null;
  readonly via: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly detail: Record<string, unknown> | null;
  readonly hash: string;
}

export interface AuditQuery {
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly username?: string | undefined;
  readonly action?: string | undefined;
  /** Only rows older than this id (the `next` cursor of the previous page). */
  readonly before?: number | undefined;
  readonly limit?: number | undefined;
}

export type AuditVerdict =
  | { readonly ok: true; readonly rows: number; readonly head: string }
  | { readonly ok: false; readonly rows: number; readonly brokenAt: number; readonly reason: string };

interface Row {
  id: number;
  at: number;
  username: string;
  role: string | null;
  address: string | null;
  via: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  prev_hash: string | null;
  hash: string | null;
}

export const GENESIS = '0'.repeat(64);
export const AUDIT_RETENTION_MS = 5 * 365 * 86_400_000 + 2 * 86_400_000; // 5 years, leap days included
const PRUNE_EVERY_MS = 86_400_000;

/** The hash of a row given its predecessor's hash: fields in a fixed order, JSON-encoded. */
export function rowHash(prev: string, r: Pick<Row, 'id' | 'at' | 'username' | 'role' | 'address' | 'via' | 'action' | 'target' | 'detail'>): string {
  const canonical = JSON.stringify([r.id, r.at, r.username, r.role, r.address, r.via, r.action, r.target, r.detail]);
  return createHash('sha256').update(`${prev}\n${canonical}`).digest('hex');
}

export class AuditLog {
  private readonly db: DatabaseSync;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(db: DatabaseSync, clock: Clock, retentionMs = AUDIT_RETENTION_MS) {
    this.db = db;
    this.clock = clock;
    this.retentionMs = retentionMs;
    db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
      id INTEGER PRIMARY KEY, at INTEGER NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT
    ); CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
    CREATE TABLE IF NOT EXISTS audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), after_id INTEGER NOT NULL, hash TEXT NOT NULL);`);
    const columns = new Set((db.prepare('PRAGMA table_info(audit_log)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const column of ['role', 'address', 'via', 'prev_hash', 'hash']) {
      if (!columns.has(column)) db.exec(`ALTER TABLE audit_log ADD COLUMN ${column} TEXT`);
    }
    this.sealLegacyRows();
  }

  record(input: AuditInput): void {
    const now = this.clock.now();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const last = this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
      const prev = last?.hash ?? this.anchor()?.hash ?? GENESIS;
      const row = {
        id: (last?.id ?? this.anchor()?.after_id ?? 0) + 1,
        at: now,
        username: input.username,
        role: input.role ?? null,
        address: input.address ?? null,
        via: input.via ?? null,
        action: input.action,
        // (a route's id parameter may arrive as a number: stored and hashed as text either way)
        target: input.target === undefined || input.target === null ? null : String(input.target),
        detail: input.detail ? JSON.stringify(input.detail) : null,
      };
      this.db
        .prepare('INSERT INTO audit_log (id, at, username, role, address, via, action, target, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.id, row.at, row.username, row.role, row.address, row.via, row.action, row.target, row.detail, prev, rowHash(prev, row));
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    if (this.clock.monotonic() - this.lastPrune >= PRUNE_EVERY_MS) this.prune();
  }

  /** Newest first, filtered; page with `before` = the last id of the previous page. */
  list(query: AuditQuery = {}): AuditEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_log WHERE at >= ? AND at <= ? AND (? IS NULL OR username = ?) AND (? IS NULL OR action = ?) AND id < ?
         ORDER BY id DESC LIMIT ?`,
      )
      .all(
        query.from ?? 0,
        query.to ?? Number.MAX_SAFE_INTEGER,
        query.username ?? null,
        query.username ?? null,
        query.action ?? null,
        query.action ?? null,
        query.before ?? Number.MAX_SAFE_INTEGER,
        query.limit ?? 500,
      ) as unknown as Row[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      username: r.username,
      role: r.role,
      address: r.address,
      via: r.via,
      action: r.action,
      target: r.target,
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
      hash: r.hash ?? '',
    }));
  }

  /** Walk the whole chain from its anchor; the first row whose hash or link does not match is reported. */
  verify(): AuditVerdict {
    let prev = this.anchor()?.hash ?? GENESIS;
    let rows = 0;
    for (const r of this.db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<Row>) {
      rows++;
      if (r.prev_hash !== prev) return { ok: false, rows, brokenAt: r.id, reason: 'does not follow the row before it (a row was removed, inserted or changed)' };
      if (r.hash !== rowHash(prev, r)) return { ok: false, rows, brokenAt: r.id, reason: 'its content does not match its hash (the row was changed)' };
      prev = r.hash;
    }
    return { ok: true, rows, head: prev };
  }

  /** The hash of the newest row (keep a copy elsewhere to detect removal of the newest rows). */
  head(): string {
    const last = this.db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined;
    return last?.hash ?? this.anchor()?.hash ?? GENESIS;
  }

  /** Remove rows past retention; the chain then starts from the hash of the last removed row. */
  prune(): number {
    this.lastPrune = this.clock.monotonic();
    const cutoff = this.clock.now() - this.retentionMs;
    const last = this.db.prepare('SELECT id, hash FROM audit_log WHERE at < ? ORDER BY id DESC LIMIT 1').get(cutoff) as { id: number; hash: string } | undefined;
    if (!last) return 0;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const removed = Number(this.db.prepare('DELETE FROM audit_log WHERE id <= ?').run(last.id).changes);
      this.db.prepare('INSERT INTO audit_anchor (id, after_id, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET after_id = excluded.after_id, hash = excluded.hash').run(last.id, last.hash);
      this.db.exec('COMMIT');
      return removed;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private anchor(): { after_id: number; hash: string } | undefined {
    return this.db.prepare('SELECT after_id, hash FROM audit_anchor WHERE id = 1').get() as { after_id: number; hash: string } | undefined;
  }

  /** Rows written before the chain existed are chained once, in id order, when first opened. */
  private sealLegacyRows(): void {
    const legacy = this.db.prepare('SELECT * FROM audit_log WHERE hash IS NULL ORDER BY id').all() as unknown as Row[];
    if (legacy.length === 0) return;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      let prev = (this.db.prepare('SELECT hash FROM audit_log WHERE hash IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1').get(legacy[0]?.id ?? 0) as { hash: string } | undefined)?.hash ?? GENESIS;
      const update = this.db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?');
      for (const r of legacy) {
        const hash = rowHash(prev, r);
        update.run(prev, hash, r.id);
        prev = hash;
      }
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }
}
