/**
 * Alarm persistence in the gateway's state database (data/gateway.db): instances, their journal,
 * shelves and device modes. Tables are prefixed `alarm_` so other modules can share the file.
 * A partial unique index makes a second open instance of one (rule, device) impossible.
 */
import type { KpiJournalRow } from './alarm-kpis.ts';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  AlarmEventType,
  AlarmQuery,
  AlarmRecord,
  AlarmState,
  DeviceMode,
  DeviceModeInfo,
  JournalEntry,
  ShelfInfo,
} from './alarm-model.ts';
import type { PointValue } from '../../gateway/model/sample.ts';
import { openSqlite, rollbackQuietly } from '../../gateway/platform/sqlite-file.ts';
import { StatementCache } from '../../gateway/platform/statement-cache.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alarm_instances (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  device TEXT NOT NULL,
  kind TEXT NOT NULL,
  building TEXT NOT NULL,
  floor TEXT NOT NULL,
  priority INTEGER NOT NULL,
  state TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  closed_at INTEGER,
  record TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS alarm_instances_open ON alarm_instances(rule, device) WHERE closed_at IS NULL;
CREATE INDEX IF NOT EXISTS alarm_instances_raised ON alarm_instances(raised_at);
CREATE TABLE IF NOT EXISTS alarm_journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  alarm_id TEXT NOT NULL REFERENCES alarm_instances(id),
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  by TEXT,
  text TEXT,
  vals TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alarm_journal_alarm ON alarm_journal(alarm_id, seq);
CREATE TABLE IF NOT EXISTS alarm_shelves (
  rule TEXT NOT NULL,
  device TEXT NOT NULL,
  by TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL,
  until INTEGER NOT NULL,
  PRIMARY KEY (rule, device)
);
CREATE TABLE IF NOT EXISTS alarm_device_modes (
  device TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  by TEXT NOT NULL,
  reason TEXT NOT NULL,
  since INTEGER NOT NULL,
  until INTEGER
);
CREATE TABLE IF NOT EXISTS alarm_device_mode_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  device TEXT NOT NULL,
  mode TEXT NOT NULL,
  by TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL,
  until INTEGER
);
`;

/** A journal entry as written: the store assigns its sequence number. */
export type JournalRow = Omit<JournalEntry, 'seq'>;

export interface ShelfRow extends ShelfInfo {
  readonly rule: string;
  readonly device: string;
}

type Row = Record<string, unknown>;

/** Filters of the history search (`GET /api/alarms/journal`). */
export interface JournalSearch {
  readonly from?: number;
  readonly to?: number;
  /** Limit to these buildings (a building scope or one building). */
  readonly buildings?: readonly string[];
  readonly floor?: string;
  readonly kind?: readonly string[];
  readonly device?: string;
  readonly priority?: readonly number[];
  /** The state the row moved the alarm to. */
  readonly state?: readonly string[];
  /** Substring of the title, rule, device, who or the row's text (case-insensitive for ASCII). */
  readonly text?: string;
}

/** One journal row with its alarm's facts (history search and export). */
export interface HistoryRow {
  readonly seq: number;
  readonly at: number;
  readonly alarmId: string;
  readonly type: string;
  readonly fromState: string | null;
  readonly toState: string;
  readonly by: string | null;
  readonly text: string | null;
  readonly rule: string;
  readonly title: string;
  readonly device: string;
  readonly kind: string;
  readonly building: string;
  readonly floor: string;
  readonly priority: number;
}

const HISTORY_SELECT =
  "SELECT j.seq, j.at, j.alarm_id, j.type, j.from_state, j.to_state, j.by, j.text, i.rule, json_extract(i.record, '$.title') AS title, i.device, i.kind, i.building, i.floor, i.priority FROM alarm_journal j JOIN alarm_instances i ON i.id = j.alarm_id";

function journalWhere(q: JournalSearch): { where: string; args: Array<string | number> } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const inList = (column: string, values: ReadonlyArray<string | number> | undefined): void => {
    if (!values) return;
    where.push(values.length === 0 ? '0' : `${column} IN (${values.map(() => '?').join(',')})`);
    args.push(...values);
  };
  if (q.from !== undefined) (where.push('j.at >= ?'), args.push(q.from));
  if (q.to !== undefined) (where.push('j.at < ?'), args.push(q.to));
  inList('i.building', q.buildings);
  if (q.floor !== undefined) (where.push('i.floor = ?'), args.push(q.floor));
  inList('i.kind', q.kind);
  if (q.device !== undefined) (where.push('i.device = ?'), args.push(q.device));
  inList('i.priority', q.priority);
  inList('j.to_state', q.state);
  if (q.text !== undefined && q.text !== '') {
    const like = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(json_extract(i.record, '$.title') LIKE ? ESCAPE '\\' OR i.rule LIKE ? ESCAPE '\\' OR i.device LIKE ? ESCAPE '\\' OR j.by LIKE ? ESCAPE '\\' OR j.text LIKE ? ESCAPE '\\')");
    args.push(like, like, like, like, like);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

function historyRow(r: Row): HistoryRow {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    alarmId: String(r.alarm_id),
    type: String(r.type),
    fromState: (r.from_state ?? null) as string | null,
    toState: String(r.to_state),
    by: (r.by ?? null) as string | null,
    text: (r.text ?? null) as string | null,
    rule: String(r.rule),
    title: String(r.title ?? ''),
    device: String(r.device),
    kind: String(r.kind),
    building: String(r.building),
    floor: String(r.floor),
    priority: Number(r.priority),
  };
}

function modeInfo(r: Row, since: number): DeviceModeInfo {
  return { device: String(r.device), mode: r.mode as DeviceMode, by: String(r.by), reason: String(r.reason), since, until: r.until === null || r.until === undefined ? null : Number(r.until) };
}

export class AlarmStore {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly insertStmt: StatementSync;
  private readonly updateStmt: StatementSync;
  private readonly journalStmt: StatementSync;
  private depth = 0;
  private begun = false;
  private readonly queries: StatementCache;

  constructor(file: string) {
    this.file = file;
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
    this.queries = new StatementCache(this.db);
    this.insertStmt = this.db.prepare(
      'INSERT INTO alarm_instances (id, rule, device, kind, building, floor, priority, state, raised_at, updated_at, closed_at, record) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    this.updateStmt = this.db.prepare('UPDATE alarm_instances SET state = ?, priority = ?, updated_at = ?, closed_at = ?, record = ? WHERE id = ?');
    this.journalStmt = this.db.prepare(
      'INSERT INTO alarm_journal (alarm_id, at, type, from_state, to_state, by, text, vals) VALUES (?,?,?,?,?,?,?,?)',
    );
  }

  /**
   * Run `fn` in one transaction (nested calls join the outer one). BEGIN is issued at the first
   * write, so a batch of samples that changes no alarm costs no database work.
   */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.depth++;
    this.begun = false;
    try {
      const result = fn();
      if (this.begun) this.db.exec('COMMIT');
      return result;
    } catch (err) {
      rollbackQuietly(this.db); // keep the real error (SQLITE_FULL), not "cannot rollback"
      throw err;
    } finally {
      this.depth--;
      this.begun = false;
    }
  }

  private write(): void {
    if (this.depth > 0 && !this.begun) {
      this.db.exec('BEGIN IMMEDIATE');
      this.begun = true;
    }
  }

  insert(a: AlarmRecord): void {
    this.write();
    this.insertStmt.run(a.id, a.rule, a.device, a.kind, a.building, a.floor, a.priority, a.state, a.raisedAt, a.updatedAt, a.closedAt, JSON.stringify(a));
  }

  update(a: AlarmRecord): void {
    this.write();
    const r = this.updateStmt.run(a.state, a.priority, a.updatedAt, a.closedAt, JSON.stringify(a), a.id);
    if (r.changes !== 1) throw new Error(`alarm ${a.id} is not in the store`);
  }

  journal(row: JournalRow): void {
    this.write();
    this.journalStmt.run(row.alarmId, row.at, row.type, row.fromState, row.toState, row.by, row.text, JSON.stringify(row.values));
  }

  openAlarms(): AlarmRecord[] {
    return this.db
      .prepare('SELECT record FROM alarm_instances WHERE closed_at IS NULL ORDER BY raised_at')
      .all()
      .map((r) => JSON.parse(String((r as Row).record)) as AlarmRecord);
  }

  get(id: string): AlarmRecord | undefined {
    const row = this.db.prepare('SELECT record FROM alarm_instances WHERE id = ?').get(id) as Row | undefined;
    return row ? (JSON.parse(String(row.record)) as AlarmRecord) : undefined;
  }

  /** Alarms whose open span overlaps [from, to], newest first. */
  query(q: AlarmQuery, openOnly: boolean): AlarmRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (openOnly) where.push('closed_at IS NULL');
    const inList = (column: string, values: ReadonlyArray<string | number> | undefined): void => {
      if (!values || values.length === 0) return;
      where.push(`${column} IN (${values.map(() => '?').join(',')})`);
      args.push(...values);
    };
    inList('priority', q.priority);
    inList('state', q.state);
    inList('kind', q.kind);
    if (q.building !== undefined) (where.push('building = ?'), args.push(q.building));
    if (q.floor !== undefined) (where.push('floor = ?'), args.push(q.floor));
    if (q.device !== undefined) (where.push('device = ?'), args.push(q.device));
    if (q.to !== undefined) (where.push('raised_at <= ?'), args.push(q.to));
    if (q.from !== undefined) (where.push('(closed_at IS NULL OR closed_at >= ?)'), args.push(q.from));
    const sql = `SELECT record FROM alarm_instances ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id LIMIT ?`;
    args.push(q.limit ?? 1000);
    return this.queries.get(sql).all(...args).map((r) => JSON.parse(String((r as Row).record)) as AlarmRecord);
  }

  /** Journal rows (with their alarm's rule, device, building, priority) of every alarm open at some time in [from, to). */
  kpiRows(from: number, to: number, buildings?: readonly string[]): KpiJournalRow[] {
    const where = ['i.raised_at < ?', '(i.closed_at IS NULL OR i.closed_at >= ?)'];
    const args: Array<string | number> = [to, from];
    if (buildings) {
      where.push(`i.building IN (${buildings.map(() => '?').join(',') || "''"})`);
      args.push(...buildings);
    }
    return this.db
      .prepare(
        `SELECT j.seq, j.alarm_id, j.at, j.type, j.to_state, i.rule, i.device, i.building, i.priority FROM alarm_journal j JOIN alarm_instances i ON i.id = j.alarm_id WHERE ${where.join(' AND ')} ORDER BY j.seq`,
      )
      .all(...args)
      .map((raw) => {
        const r = raw as Row;
        return {
          seq: Number(r.seq),
          alarmId: String(r.alarm_id),
          at: Number(r.at),
          type: r.type as AlarmEventType,
          toState: r.to_state as AlarmState,
          rule: String(r.rule),
          device: String(r.device),
          building: String(r.building),
          priority: Number(r.priority),
        };
      });
  }

  /** History search over journal rows (newest first): one page and the total. */
  searchJournal(q: JournalSearch, offset: number, limit: number): { rows: HistoryRow[]; total: number } {
    const { where, args } = journalWhere(q);
    const total = Number((this.db.prepare(`SELECT count(*) AS n FROM alarm_journal j JOIN alarm_instances i ON i.id = j.alarm_id ${where}`).get(...args) as Row).n);
    const rows = this.db
      .prepare(`${HISTORY_SELECT} ${where} ORDER BY j.seq DESC LIMIT ? OFFSET ?`)
      .all(...args, limit, offset)
      .map((r) => historyRow(r as Row));
    return { rows, total };
  }

  /** Every matching journal row, oldest first, read lazily (exports). */
  *iterateJournal(q: JournalSearch): Generator<HistoryRow> {
    const { where, args } = journalWhere(q);
    for (const r of this.db.prepare(`${HISTORY_SELECT} ${where} ORDER BY j.seq`).iterate(...args)) yield historyRow(r as Row);
  }

  journalOf(alarmId: string): JournalEntry[] {
    return this.db
      .prepare('SELECT seq, alarm_id, at, type, from_state, to_state, by, text, vals FROM alarm_journal WHERE alarm_id = ? ORDER BY seq')
      .all(alarmId)
      .map((raw) => {
        const r = raw as Row;
        return {
          seq: Number(r.seq),
          alarmId: String(r.alarm_id),
          at: Number(r.at),
          type: r.type as AlarmEventType,
          fromState: (r.from_state ?? null) as AlarmState | null,
          toState: r.to_state as AlarmState,
          by: (r.by ?? null) as string | null,
          text: (r.text ?? null) as string | null,
          values: JSON.parse(String(r.vals)) as Record<string, PointValue>,
        };
      });
  }

  journalCount(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM alarm_journal').get() as Row).n);
  }

  putShelf(s: ShelfRow): void {
    this.write();
    this.db
      .prepare('INSERT OR REPLACE INTO alarm_shelves (rule, device, by, reason, at, until) VALUES (?,?,?,?,?,?)')
      .run(s.rule, s.device, s.by, s.reason, s.at, s.until);
  }

  deleteShelf(rule: string, device: string): void {
    this.write();
    this.db.prepare('DELETE FROM alarm_shelves WHERE rule = ? AND device = ?').run(rule, device);
  }

  shelves(): ShelfRow[] {
    return this.db
      .prepare('SELECT rule, device, by, reason, at, until FROM alarm_shelves')
      .all()
      .map((raw) => {
        const r = raw as Row;
        return { rule: String(r.rule), device: String(r.device), by: String(r.by), reason: String(r.reason), at: Number(r.at), until: Number(r.until) };
      });
  }

  setMode(info: DeviceModeInfo): void {
    this.write();
    const until = info.until ?? null;
    if (info.mode === 'in_service') this.db.prepare('DELETE FROM alarm_device_modes WHERE device = ?').run(info.device);
    else {
      this.db
        .prepare('INSERT OR REPLACE INTO alarm_device_modes (device, mode, by, reason, since, until) VALUES (?,?,?,?,?,?)')
        .run(info.device, info.mode, info.by, info.reason, info.since, until);
    }
    this.db.prepare('INSERT INTO alarm_device_mode_log (device, mode, by, reason, at, until) VALUES (?,?,?,?,?,?)').run(info.device, info.mode, info.by, info.reason, info.since, until);
  }

  modes(): DeviceModeInfo[] {
    return this.db
      .prepare('SELECT device, mode, by, reason, since, until FROM alarm_device_modes')
      .all()
      .map((raw) => modeInfo(raw as Row, Number((raw as Row).since)));
  }

  /** The device-mode journal, newest first. */
  modeLog(device: string | undefined, limit: number): DeviceModeInfo[] {
    const rows = device === undefined
      ? this.db.prepare('SELECT device, mode, by, reason, at, until FROM alarm_device_mode_log ORDER BY seq DESC LIMIT ?').all(limit)
      : this.db.prepare('SELECT device, mode, by, reason, at, until FROM alarm_device_mode_log WHERE device = ? ORDER BY seq DESC LIMIT ?').all(device, limit);
    return rows.map((raw) => modeInfo(raw as Row, Number((raw as Row).at)));
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
