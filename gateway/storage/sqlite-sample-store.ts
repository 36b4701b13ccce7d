/**
 * The embedded telemetry store: samples in SQLite (node:sqlite, WAL) under the data directory,
 * one transaction per batch, pruned past the retention period.
 *
 * A sample without a value (nothing trustworthy was read) is stored as it came: value NULL, vtype
 * `Null`, its quality and its reason (`not yet read`, `comms lost`, `modbus exception 2`); nothing
 * is invented to fill it.
 *
 * Rows are written to `sample_recent` (keyed by time: a commit appends to one B-tree) and moved
 * in bulk, sorted by series, to `sample_history` (keyed by series: a history query is one range
 * scan, pruning walks each series' oldest rows only); sample-tables.ts says why. `seq` tells apart
 * readings of one point in the same millisecond (0 for the first, then 1, 2, ...): none replaces
 * another.
 *
 * Durability: `synchronous=NORMAL` in WAL mode. A committed batch survives `kill -9` (the WAL is
 * in the OS cache); a power cut may lose the last group commits. Alarms and work orders
 * (gateway.db) stay on FULL.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PointValue, Quality, Sample } from '../model/sample.ts';
import type { HistoryQuery, SampleStore } from './sample-store.ts';
import type { WalCheckpointer } from '../platform/wal-checkpointer.ts';
import { inTransaction, openSqlite } from '../platform/sqlite-file.ts';
import { ensureSampleTables, SAMPLE_COLUMNS } from './sample-tables.ts';

/** Pages (4 KiB) the write-ahead log may grow to before it is folded into the file: 1 MiB. */
export const WAL_AUTOCHECKPOINT_PAGES = 256;
/**
 * The same bound when a checkpointer thread folds the log after each write (the storage worker):
 * 480 pages (1.9 MiB, frames with their headers), still within the 2 MiB reserve beside
 * telemetry.db. With 256 the commits kept folding the log themselves: the log starts again from
 * its beginning only when a checkpoint finished between two commits, so under steady writes it
 * reached 256 pages before the checkpointer caught up (in a test, COMMIT 20–25 ms against 7 ms).
 */
export const WAL_AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER = 480;

/**
 * Rows `sample_recent` may hold before they move to `sample_history` (one transaction, sorted by
 * series): at least this many, and 16 per series (a move writes each series' page once, so it
 * should carry several rows of each), at most FOLD_ROWS_MAX. Bounds what a history query scans in
 * `sample_recent` and how long a move holds the writer (tens of ms at 20,000 rows).
 */
export const FOLD_ROWS = 20_000;
const FOLD_ROWS_PER_SERIES = 16;
const FOLD_ROWS_MAX = 200_000;

const QUALITY: readonly Quality[] = ['good', 'uncertain', 'bad'];
/** How a value is typed in the `vtype` column. */
const VType = { Number: 0, Boolean: 1, Text: 2, Null: 3 } as const;
type VType = (typeof VType)[keyof typeof VType];

/** Row encoding of a value: SQL NULL for "no value" (a NaN number is no value either). */
function encodeValue(value: PointValue | null): [number | string | null, VType] {
  if (value === null) return [null, VType.Null];
  if (typeof value === 'boolean') return [value ? 1 : 0, VType.Boolean];
  if (typeof value === 'number') return Number.isFinite(value) ? [value, VType.Number] : [null, VType.Null];
  return [value, VType.Text];
}

function decodeValue(raw: unknown, vtype: number): PointValue | null {
  if (raw === null || vtype === VType.Null) return null;
  if (vtype === VType.Boolean) return raw === 1;
  if (vtype === VType.Number) return Number(raw);
  return String(raw);
}

/** A row of `samples` as read back (see toSample). */
export interface Row {
  device: string;
  point: string;
  ts: number;
  value: number | string | null;
  vtype: number;
  quality: number;
  reason: string | null;
}

export class SqliteSampleStore implements SampleStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly rangeQuery: StatementSync;
  private readonly latestQuery: StatementSync;
  private readonly seriesInsert: StatementSync;
  private readonly insertAt: StatementSync;
  private readonly newestQuery: StatementSync;
  private readonly recentInOrder: StatementSync;
  /** Rows in sample_recent (written since the last fold). */
  private recentRows = 0;
  /** sample_recent's row count at which the next fold is made. */
  private nextFold = FOLD_ROWS;
  /** The last fold that failed (a full disk): the rows stay in sample_recent; tried again after FOLD_ROWS more rows. */
  foldError: Error | undefined;
  private readonly knownSeries = new Set<string>();
  /**
   * The newest (ts, seq) of each series written by this store (read from the file on first use), so
   * the next sample's seq is known without a MAX(seq) lookup per row: 0 after a newer ts, +1 on the
   * same ts. An older sample (out of order) takes the lookup and leaves the record as it is.
   */
  private readonly newest = new Map<string, { ts: number; seq: number }>();

  private readonly file: string;
  private readonly checkpointer: WalCheckpointer | undefined;

  /**
   * `checkpointer`: fold the write-ahead log on that thread after each write (the storage worker);
   * the connection's own autocheckpoint (WAL_AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER) stays the bound.
   */
  constructor(file: string, options: { checkpointer?: WalCheckpointer } = {}) {
    this.file = file;
    this.checkpointer = options.checkpointer;
    this.db = openSqlite(file);
    this.db.exec('PRAGMA synchronous = NORMAL');
    // sorts (the oldest-first eviction on a full disk) must not need temporary files
    this.db.exec('PRAGMA temp_store = MEMORY');
    // a short write-ahead log: on a full disk, folding it into the database file needs at most this
    // much room (the reserve beside telemetry.db covers it; see StorageCore)
    this.db.exec(`PRAGMA wal_autocheckpoint = ${this.checkpointer ? WAL_AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER : WAL_AUTOCHECKPOINT_PAGES}`);
    addReasonColumn(this.db);
    migrateToSeqKey(this.db);
    ensureSampleTables(this.db);
    // rows left in sample_recent by the last run move to sample_history now, so that a series not
    // yet written by this store has no row in sample_recent (its newest is looked up by series)
    this.recentRows = Number((this.db.prepare('SELECT COUNT(*) AS n FROM sample_recent').get() as { n: number }).n);
    if (this.recentRows > 0) this.tryFold();
    // (device, point, ts, value, vtype, quality, reason); seq is the next free one for that key
    this.insert = this.db.prepare(
      'INSERT INTO sample_recent (device, point, ts, seq, value, vtype, quality, reason) VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(seq) + 1, 0) FROM samples WHERE device = ?1 AND point = ?2 AND ts = ?3), ?4, ?5, ?6, ?7)',
    );
    this.insertAt = this.db.prepare('INSERT INTO sample_recent (device, point, ts, seq, value, vtype, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    // every series written since the fold at open is in `newest`; if that fold failed (a full disk)
    // the last run's rows are still in sample_recent and the lookup has to see them too
    this.newestQuery = this.db.prepare(
      `SELECT ts, seq FROM ${this.recentRows === 0 ? 'sample_history' : 'samples'} WHERE device = ? AND point = ? ORDER BY ts DESC, seq DESC LIMIT 1`,
    );
    this.seriesInsert = this.db.prepare('INSERT OR IGNORE INTO series (device, point) VALUES (?, ?)');
    this.rangeQuery = this.db.prepare(
      'SELECT device, point, ts, value, vtype, quality, reason FROM samples WHERE device = ? AND point = ? AND ts >= ? AND ts <= ? ORDER BY ts, seq LIMIT ?',
    );
    this.latestQuery = this.db.prepare(
      'SELECT s.device, s.point, s.ts, s.value, s.vtype, s.quality, s.reason FROM series r JOIN sample_history s ON s.device = r.device AND s.point = r.point AND (s.ts, s.seq) = (SELECT ts, seq FROM sample_history WHERE device = r.device AND point = r.point ORDER BY ts DESC, seq DESC LIMIT 1)',
    );
    this.recentInOrder = this.db.prepare('SELECT device, point, ts, value, vtype, quality, reason FROM sample_recent ORDER BY ts, device, point, seq');
    for (const row of this.db.prepare('SELECT device, point FROM series').all() as Array<{ device: string; point: string }>) {
      this.knownSeries.add(`${row.device}\u0000${row.point}`);
    }
  }

  write(batch: readonly Sample[]): void {
    if (batch.length === 0) return;
    // the newest keys of this batch, kept only once it committed (a rolled-back batch changes nothing)
    const pending = new Map<string, { ts: number; seq: number }>();
    inTransaction(this.db, () => {
      for (const s of batch) {
        const [value, vtype] = encodeValue(s.value);
        // A value that could not be stored (NaN) is no value: never `good`.
        const quality = value === null && s.quality === 'good' ? 'bad' : s.quality;
        const reason = s.reason ?? (value === null && s.value !== null ? 'not a finite number' : null);
        const key = `${s.device}\u0000${s.point}`;
        const ts = Math.round(s.ts);
        const newest = pending.get(key) ?? this.newestOf(key, s.device, s.point);
        if (newest === undefined || ts >= newest.ts) {
          const seq = newest !== undefined && ts === newest.ts ? newest.seq + 1 : 0;
          this.insertAt.run(s.device, s.point, ts, seq, value, vtype, QUALITY.indexOf(quality), reason);
          pending.set(key, { ts, seq });
        } else {
          this.insert.run(s.device, s.point, ts, value, vtype, QUALITY.indexOf(quality), reason);
        }
        if (!this.knownSeries.has(key)) {
          this.seriesInsert.run(s.device, s.point);
          this.knownSeries.add(key);
        }
      }
    });
    for (const [key, at] of pending) this.newest.set(key, at);
    this.recentRows += batch.length;
    if (this.recentRows >= this.nextFold) this.tryFold();
    this.checkpointer?.request(this.file);
  }

  /**
   * Move every row of sample_recent to sample_history, sorted by series (one transaction). The rows
   * are taken out first (into memory) and then inserted, so the pages they free are reused: a fold
   * does not need the room of its rows twice (a nearly full disk).
   */
  fold(): void {
    inTransaction(this.db, () => {
      this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS moving AS SELECT ${SAMPLE_COLUMNS} FROM sample_recent WHERE 0`);
      this.db.exec(`INSERT INTO temp.moving SELECT ${SAMPLE_COLUMNS} FROM sample_recent`);
      this.db.exec('DELETE FROM sample_recent');
      this.db.exec(`INSERT INTO sample_history (${SAMPLE_COLUMNS}) SELECT ${SAMPLE_COLUMNS} FROM temp.moving ORDER BY device, point, ts, seq`);
      this.db.exec('DELETE FROM temp.moving');
    });
    this.recentRows = 0;
    this.nextFold = Math.min(FOLD_ROWS_MAX, Math.max(FOLD_ROWS, FOLD_ROWS_PER_SERIES * this.knownSeries.size));
    this.foldError = undefined;
  }

  /**
   * A fold after a committed batch: its failure (a full disk) must not fail the batch, which is
   * stored. The log the failed fold wrote is given back, and the next try waits for another
   * FOLD_ROWS rows.
   */
  private tryFold(): void {
    try {
      this.fold();
    } catch (err) {
      this.foldError = err instanceof Error ? err : new Error(String(err));
      this.nextFold = this.recentRows + FOLD_ROWS;
      this.checkpoint();
    }
  }

  private newestOf(key: string, device: string, point: string): { ts: number; seq: number } | undefined {
    const known = this.newest.get(key);
    if (known !== undefined || !this.knownSeries.has(key)) return known;
    const row = this.newestQuery.get(device, point) as { ts: number; seq: number } | undefined;
    if (row) this.newest.set(key, { ts: row.ts, seq: row.seq });
    return row;
  }

  async history(q: HistoryQuery): Promise<Sample[]> {
    const rows = this.rangeQuery.all(q.device, q.point, q.from, q.to, q.limit) as unknown as Row[];
    return rows.map(toSample);
  }

  async latest(): Promise<Sample[]> {
    const newest = new Map<string, Row>();
    for (const row of this.latestQuery.all() as unknown as Row[]) newest.set(`${row.device}\u0000${row.point}`, row);
    // sample_recent in key order: each series' rows come by (ts, seq), so the last one kept is its newest
    for (const row of this.recentInOrder.iterate() as Iterable<Row>) {
      const key = `${row.device}\u0000${row.point}`;
      const known = newest.get(key);
      if (known === undefined || row.ts >= known.ts) newest.set(key, row);
    }
    return [...newest.values()].map(toSample);
  }

  /** Delete samples older than `cutoff` (epoch ms); returns how many went. */
  prune(cutoff: number): number {
    const del = this.db.prepare('DELETE FROM sample_history WHERE device = ? AND point = ? AND ts < ?');
    let removed = 0;
    inTransaction(this.db, () => {
      for (const key of this.knownSeries) {
        const [device, point] = key.split('\u0000') as [string, string];
        removed += Number(del.run(device, point, cutoff).changes);
      }
      const recent = Number(this.db.prepare('DELETE FROM sample_recent WHERE ts < ?').run(cutoff).changes);
      this.recentRows -= recent;
      removed += recent;
    });
    return removed;
  }

  /**
   * Delete the `rows` oldest samples of the whole store (by time, every series), one transaction;
   * returns how many went. Used when the disk is full: the freed pages are reused by the next
   * writes, so telemetry keeps its newest history instead of taking more of the disk.
   */
  evictOldest(rows: number): number {
    return inTransaction(this.db, () => {
      this.db.exec('CREATE TEMP TABLE IF NOT EXISTS evicted (device TEXT, point TEXT, ts INTEGER, seq INTEGER)');
      this.db.prepare('INSERT INTO temp.evicted SELECT device, point, ts, seq FROM samples ORDER BY ts, seq LIMIT ?').run(Math.max(1, Math.floor(rows)));
      const keys = 'SELECT device, point, ts, seq FROM temp.evicted';
      const history = Number(this.db.prepare(`DELETE FROM sample_history WHERE (device, point, ts, seq) IN (${keys})`).run().changes);
      const recent = Number(this.db.prepare(`DELETE FROM sample_recent WHERE (device, point, ts, seq) IN (${keys})`).run().changes);
      this.db.exec('DELETE FROM temp.evicted');
      this.recentRows -= recent;
      return history + recent;
    });
  }

  /** Copy the write-ahead log into the database file and truncate it; false when that failed (a full disk). */
  checkpoint(): boolean {
    try {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      return true;
    } catch {
      return false;
    }
  }

  count(): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

/** A store from before the seq column (key (device, point, ts)) is rebuilt once with seq 0. */
function migrateToSeqKey(db: DatabaseSync): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('samples')").all() as Array<{ name: string }>;
  if (columns.length === 0 || columns.some((c) => c.name === 'seq')) return;
  inTransaction(db, () => {
    db.exec(`
      CREATE TABLE samples_seq (
        device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
        value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT,
        PRIMARY KEY (device, point, ts, seq)
      ) WITHOUT ROWID, STRICT;
      INSERT INTO samples_seq (device, point, ts, seq, value, vtype, quality, reason) SELECT device, point, ts, 0, value, vtype, quality, reason FROM samples;
      DROP TABLE samples;
      ALTER TABLE samples_seq RENAME TO samples;
    `);
  });
}

export function toSample(r: Row): Sample {
  const sample: Sample = {
    device: r.device,
    point: r.point,
    ts: Number(r.ts),
    value: decodeValue(r.value, r.vtype),
    quality: QUALITY[r.quality] ?? 'bad',
  };
  return r.reason === null ? sample : { ...sample, reason: r.reason };
}

/** Schema step for files written before samples carried a reason (a nullable column: no rewrite). */
function addReasonColumn(db: DatabaseSync): void {
  const columns = db.prepare('PRAGMA table_info(samples)').all() as Array<{ name: string }>;
  if (columns.length > 0 && !columns.some((c) => c.name === 'reason')) db.exec('ALTER TABLE samples ADD COLUMN reason TEXT');
}
