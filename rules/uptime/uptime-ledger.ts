/**
 * The uptime ledger: one row per state interval per device in SQLite, exact to the millisecond,
 * written in a transaction at each state change (with the heartbeat), so what was recorded
 * survives `kill -9`.
 *
 * Restart: the heartbeat row says when the gateway was last known alive. `recover(now)` closes
 * every open interval there and records [heartbeat, now) as `unknown` (reason `gateway_down`):
 * nobody watched the devices while the gateway was down, so that time is never counted as up.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction, openSqlite, rollbackQuietly } from '../../gateway/platform/sqlite-file.ts';
import { AWAITING_FIRST_SAMPLE, GATEWAY_DOWN, UPTIME_STATES, type LedgerInterval, type UptimeState } from './uptime-state.ts';

interface Row {
  id: number;
  device: string;
  state: string;
  reason: string;
  start_ms: number;
  end_ms: number | null;
}

interface OpenInterval {
  readonly id: number;
  readonly state: UptimeState;
  readonly reason: string;
  readonly start: number;
}

export interface MaintenanceWindow {
  readonly device: string;
  readonly reason: string;
  readonly start: number;
  readonly end: number | null;
}

export interface Recovery {
  /** When the gateway was last known alive (null on a fresh ledger). */
  readonly lastAlive: number | null;
  /** Devices whose open interval was closed at `lastAlive`. */
  readonly closed: number;
  /** Where new intervals may start: max(now, lastAlive). */
  readonly resumeAt: number;
}

const SCHEMA_VERSION = '1';

function toInterval(r: Row): LedgerInterval {
  return { device: r.device, state: r.state as UptimeState, reason: r.reason, start: r.start_ms, end: r.end_ms };
}

export class UptimeLedger {
  private readonly db: DatabaseSync;
  private readonly open = new Map<string, OpenInterval>();
  private readonly stmt: {
    insert: StatementSync;
    close: StatementSync;
    replace: StatementSync;
    reopen: StatementSync;
    remove: StatementSync;
    previous: StatementSync;
    heartbeat: StatementSync;
    overlapping: StatementSync;
    lastObservedBefore: StatementSync;
    maintenanceOpen: StatementSync;
    maintenanceClose: StatementSync;
  };
  private closed = false;
  private batching = false;

  constructor(file: string) {
    this.db = openSqlite(file);
    const states = UPTIME_STATES.map((s) => `'${s}'`).join(', ');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS uptime_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS uptime_interval (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN (${states})),
        reason TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER,
        CHECK (end_ms IS NULL OR end_ms >= start_ms)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS uptime_interval_by_device ON uptime_interval (device, start_ms);
      CREATE UNIQUE INDEX IF NOT EXISTS uptime_interval_one_open ON uptime_interval (device) WHERE end_ms IS NULL;
      CREATE TABLE IF NOT EXISTS uptime_maintenance (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        reason TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX IF NOT EXISTS uptime_maintenance_one_open ON uptime_maintenance (device) WHERE end_ms IS NULL;
      CREATE TABLE IF NOT EXISTS uptime_heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at_ms INTEGER NOT NULL) STRICT;
    `);
    this.db.prepare('INSERT OR IGNORE INTO uptime_meta (key, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION);
    this.stmt = {
      insert: this.db.prepare('INSERT INTO uptime_interval (device, state, reason, start_ms, end_ms) VALUES (?, ?, ?, ?, ?)'),
      close: this.db.prepare('UPDATE uptime_interval SET end_ms = ? WHERE id = ?'),
      replace: this.db.prepare('UPDATE uptime_interval SET state = ?, reason = ? WHERE id = ?'),
      reopen: this.db.prepare('UPDATE uptime_interval SET end_ms = NULL WHERE id = ?'),
      remove: this.db.prepare('DELETE FROM uptime_interval WHERE id = ?'),
      previous: this.db.prepare('SELECT * FROM uptime_interval WHERE device = ? AND end_ms IS NOT NULL ORDER BY start_ms DESC, id DESC LIMIT 1'),
      heartbeat: this.db.prepare('INSERT INTO uptime_heartbeat (id, at_ms) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms'),
      overlapping: this.db.prepare(
        'SELECT * FROM uptime_interval WHERE device = ? AND start_ms < ? AND (end_ms IS NULL OR end_ms > ?) ORDER BY start_ms, id',
      ),
      lastObservedBefore: this.db.prepare(
        "SELECT * FROM uptime_interval WHERE device = ? AND end_ms IS NOT NULL AND end_ms <= ? AND state IN ('in_service', 'fault', 'maintenance') ORDER BY start_ms DESC, id DESC LIMIT 1",
      ),
      maintenanceOpen: this.db.prepare('INSERT INTO uptime_maintenance (device, reason, start_ms, end_ms) VALUES (?, ?, ?, NULL)'),
      maintenanceClose: this.db.prepare('UPDATE uptime_maintenance SET end_ms = ? WHERE device = ? AND end_ms IS NULL'),
    };
    this.loadOpen();
  }

  /**
   * Run `fn` (any number of transitions) as one transaction: the state changes of one sample batch
   * are one commit, one fsync of gateway.db, not one each (the first samples of 100 devices are 100
   * transitions; one `synchronous=FULL` commit each held the main thread, and the alarms evaluated
   * on it, for up to seconds on a busy disk). If it fails nothing of `fn` is kept: the open
   * intervals are read back from the file, so the next sample retries the changes.
   */
  batch<T>(fn: () => T): T {
    if (this.batching) return fn();
    // the transaction begins at the batch's first change: a batch without one costs no BEGIN/COMMIT
    this.batching = true;
    try {
      const result = fn();
      if (this.db.isTransaction) this.db.exec('COMMIT');
      return result;
    } catch (err) {
      rollbackQuietly(this.db);
      this.loadOpen();
      throw err;
    } finally {
      this.batching = false;
    }
  }

  /** Inside `batch`: the batch's transaction, begun by its first change; elsewhere one transaction per change. */
  private write(fn: () => void): void {
    if (this.batching && !this.db.isTransaction) this.db.exec('BEGIN IMMEDIATE');
    inTransaction(this.db, fn);
  }

  private loadOpen(): void {
    this.open.clear();
    for (const r of this.db.prepare('SELECT * FROM uptime_interval WHERE end_ms IS NULL').all() as unknown as Row[]) {
      this.open.set(r.device, { id: r.id, state: r.state as UptimeState, reason: r.reason, start: r.start_ms });
    }
  }

  /** When the gateway was last known alive, or null for a fresh ledger. */
  lastAlive(): number | null {
    const row = this.db.prepare('SELECT at_ms FROM uptime_heartbeat WHERE id = 1').get() as { at_ms: number } | undefined;
    return row ? row.at_ms : null;
  }

  /**
   * After a start: close every open interval where the gateway was last known alive and record
   * the gap up to `now` as `unknown` / `gateway_down` for the devices still configured.
   */
  recover(now: number, devices: readonly string[]): Recovery {
    const known = new Set(devices);
    let lastAlive = this.lastAlive();
    for (const o of this.open.values()) lastAlive = Math.max(lastAlive ?? o.start, o.start);
    const resumeAt = Math.max(now, lastAlive ?? now);
    let closed = 0;
    inTransaction(this.db, () => {
      for (const [device, o] of this.open) {
        const at = Math.max(o.start, lastAlive as number);
        this.stmt.close.run(at, o.id);
        if (known.has(device) && resumeAt > at) this.stmt.insert.run(device, 'unknown', GATEWAY_DOWN, at, resumeAt);
        closed++;
      }
      this.stmt.heartbeat.run(resumeAt);
    });
    this.open.clear();
    return { lastAlive, closed, resumeAt };
  }

  /** The device's open interval, if any. */
  current(device: string): LedgerInterval | undefined {
    const o = this.open.get(device);
    return o ? { device, state: o.state, reason: o.reason, start: o.start, end: null } : undefined;
  }

  /**
   * Record that `device` is in `state` from `at` (clamped to the open interval's start). A change
   * at the very start of the open interval replaces it (no zero-length rows); a return to the
   * previous interval's state at its end reopens that interval. Same state: nothing is written.
   */
  transition(device: string, at: number, state: UptimeState, reason: string, aliveAt: number): LedgerInterval {
    const o = this.open.get(device);
    // the start-up wait ends by contact or by `never_heard`: a new interval even in the same state
    if (o && o.state === state && !(o.reason === AWAITING_FIRST_SAMPLE && reason !== AWAITING_FIRST_SAMPLE)) return this.current(device) as LedgerInterval;
    const start = o ? Math.max(at, o.start) : at;
    this.write(() => {
      if (o && start === o.start) {
        const prev = this.stmt.previous.get(device) as Row | undefined;
        if (prev && prev.end_ms === o.start && prev.state === state) {
          this.stmt.remove.run(o.id);
          this.stmt.reopen.run(prev.id);
          this.open.set(device, { id: prev.id, state, reason: prev.reason, start: prev.start_ms });
        } else {
          this.stmt.replace.run(state, reason, o.id);
          this.open.set(device, { id: o.id, state, reason, start });
        }
      } else {
        if (o) this.stmt.close.run(start, o.id);
        const r = this.stmt.insert.run(device, state, reason, start, null);
        this.open.set(device, { id: Number(r.lastInsertRowid), state, reason, start });
      }
      this.stmt.heartbeat.run(Math.max(aliveAt, start));
    });
    return this.current(device) as LedgerInterval;
  }

  heartbeat(at: number): void {
    this.stmt.heartbeat.run(at);
  }

  /**
   * The device's intervals overlapping [from, to), preceded by its last observed (in service,
   * fault, maintenance) interval ending at or before `from`, which tells whether a fault at
   * `from` continues an episode across a comms or gateway gap.
   */
  intervals(device: string, from: number, to: number): LedgerInterval[] {
    const rows = this.stmt.overlapping.all(device, to, from) as unknown as Row[];
    const before = this.stmt.lastObservedBefore.get(device, from) as Row | undefined;
    return [...(before ? [before] : []), ...rows].map(toInterval);
  }

  /** Whether any interval starts before `t`. */
  hasRecordsBefore(t: number): boolean {
    return this.db.prepare('SELECT 1 FROM uptime_interval WHERE start_ms < ? LIMIT 1').get(t) !== undefined;
  }

  startMaintenance(device: string, at: number, reason: string): void {
    this.stmt.maintenanceOpen.run(device, reason, at);
  }

  endMaintenance(device: string, at: number): void {
    this.stmt.maintenanceClose.run(at, device);
  }

  /** Maintenance windows still open (restored after a restart). */
  openMaintenance(): MaintenanceWindow[] {
    const rows = this.db.prepare('SELECT device, reason, start_ms, end_ms FROM uptime_maintenance WHERE end_ms IS NULL').all() as unknown as Array<{
      device: string;
      reason: string;
      start_ms: number;
      end_ms: number | null;
    }>;
    return rows.map((r) => ({ device: r.device, reason: r.reason, start: r.start_ms, end: r.end_ms }));
  }

  /** Delete closed intervals and maintenance windows that ended before `cutoff`. */
  prune(cutoff: number): number {
    return inTransaction(this.db, () => {
      const a = this.db.prepare('DELETE FROM uptime_interval WHERE end_ms IS NOT NULL AND end_ms < ?').run(cutoff);
      this.db.prepare('DELETE FROM uptime_maintenance WHERE end_ms IS NOT NULL AND end_ms < ?').run(cutoff);
      return Number(a.changes);
    });
  }

  /** Close the database without writing (a crash looks like this to the next start). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
