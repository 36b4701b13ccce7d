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
 * scan, pruning walks each series' oldest rows only); sample-tables.ts says why. A row names its
 * series by an integer id (`sid`, a row of `series`): the store keeps every series' id in memory.
 * `seq` tells apart readings of one point in the same millisecond (0 for the first, then 1, 2,
 * ...): none replaces another.
 *
 * Durability: `synchronous=NORMAL` in WAL mode. A committed batch survives `kill -9` (the WAL is
 * in the OS cache); a power cut may lose the last group commits. Alarms and work orders
 * (gateway.db) stay on FULL.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Sample } from '../model/sample.ts';
import { encodeValue, QUALITY, toSample, type Row } from './sample-row.ts';
import type { HistoryQuery, SampleStore } from './sample-store.ts';
import type { WalCheckpointer } from '../platform/wal-checkpointer.ts';
import { dirname } from 'node:path';
import { inTransaction, openSqlite } from '../platform/sqlite-file.ts';
import { freeBytes } from '../platform/free-bytes.ts';
import { moveRecentRows, moveRecentRowsReusingPages, openSampleTables } from './sample-tables.ts';
import { RecentRowWriter } from './recent-row-writer.ts';

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
 * series): at least this many, and 48 per series, at most FOLD_ROWS_MAX. Bounds what a history
 * query scans in `sample_recent` and how long a move holds the writer.
 *
 * A move writes each series' pages whatever the number of its rows, so its cost is mostly per
 * series, not per row: with 48 rows per series instead of 16, `npm run bench:telemetry-store --
 * --series 900,2000 --batches 2000` gave 7.75 and 7.97 µs per sample against 9.71 and 10.49, and
 * 625 and 608 bytes written per sample against 1,076 and 1,374 (flash wear on an edge box). A move
 * then takes longer but comes three times less often: 216–259 against 186–207 ms at 900 series,
 * 497–641 against 383–410 ms at 2,000 (a store without the checkpointer thread, which folds the
 * log inside the move's COMMIT); history queries took the same (4–9 ms) either way.
 */
export const FOLD_ROWS = 20_000;
const FOLD_ROWS_PER_SERIES = 48;
const FOLD_ROWS_MAX = 200_000;
/**
 * Free bytes the file system must have for the plain fold (rows copied straight into
 * sample_history, then deleted): a base plus, per row moved, four times a generous row size (the
 * row in the file and in the write-ahead log, twice over). Below it the fold reuses the rows' pages.
 */
const PLAIN_FOLD_ROOM_BYTES = 4 * 1024 * 1024;
const PLAIN_FOLD_ROOM_BYTES_PER_ROW = 4 * 128;

/** What the store keeps of one series between batches. */
interface Series {
  readonly device: string;
  readonly point: string;
  /** Its id in `series` (valid while `stored`). */
  sid: number;
  /** The newest (ts, seq) in the file; -Infinity when the series has no row yet. */
  ts: number;
  seq: number;
  /** The newest (ts, seq) including the batch being written (valid while `generation` is the batch's). */
  pendingTs: number;
  pendingSeq: number;
  generation: number;
  /** Its row of `series` is in the file or in the open transaction. */
  stored: boolean;
  /** Its row of `series` is committed. */
  committed: boolean;
}

export class SqliteSampleStore implements SampleStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly rangeQuery: StatementSync;
  private readonly latestQuery: StatementSync;
  private readonly seriesInsert: StatementSync;
  private readonly sidQuery: StatementSync;
  /** The in-order rows of a batch, inserted into sample_recent in multi-row statements. */
  private readonly rows: RecentRowWriter;
  /** No row of the store is older than this (epoch ms): the last prune's cutoff, lowered by older rows written since. */
  private noRowBefore = -Infinity;
  private readonly pruneSeries: StatementSync;
  private readonly pruneRecent: StatementSync;
  /** Counts write() calls: a series' `pending*` belong to the batch of this number. */
  private generation = 0;
  private readonly newestQuery: StatementSync;
  private readonly recentInOrder: StatementSync;
  /** Rows in sample_recent (written since the last fold). */
  private recentRows = 0;
  /** sample_recent's row count at which the next fold is made. */
  private nextFold = FOLD_ROWS;
  /** The last fold that failed (a full disk): the rows stay in sample_recent; tried again after FOLD_ROWS more rows. */
  foldError: Error | undefined;
  /** The series in the file (rows of `series`): `device\u0000point` → sid. */
  private readonly knownSeries = new Map<string, number>();
  /**
   * Each series seen by this store (by device, then point: no key string per row), with its newest
   * (ts, seq) read from the file on first sight, so the next sample's seq is known without a
   * MAX(seq) lookup per row: 0 after a newer ts, +1 on the same ts. An older sample (out of order)
   * takes the lookup and leaves the record as it is.
   */
  private readonly series = new Map<string, Map<string, Series>>();

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
    openSampleTables(this.db);
    // rows left in sample_recent by the last run move to sample_history now, so that a series not
    // yet written by this store has no row in sample_recent (its newest is looked up by series)
    this.recentRows = Number((this.db.prepare('SELECT COUNT(*) AS n FROM sample_recent').get() as { n: number }).n);
    if (this.recentRows > 0) this.tryFold();
    // (sid, ts, value, vtype, quality, reason); seq is the next free one for that key
    this.insert = this.db.prepare(
      'INSERT INTO sample_recent (sid, ts, seq, value, vtype, quality, reason) VALUES (?1, ?2, (SELECT COALESCE(MAX(seq) + 1, 0) FROM (SELECT seq FROM sample_history WHERE sid = ?1 AND ts = ?2 UNION ALL SELECT seq FROM sample_recent WHERE ts = ?2 AND sid = ?1)), ?3, ?4, ?5, ?6)',
    );
    // every series written since the fold at open is in `newest`; if that fold failed (a full disk)
    // the last run's rows are still in sample_recent and the lookup has to see them too
    this.newestQuery = this.db.prepare(
      this.recentRows === 0
        ? 'SELECT ts, seq FROM sample_history WHERE sid = ? ORDER BY ts DESC, seq DESC LIMIT 1'
        : 'SELECT ts, seq FROM (SELECT ts, seq FROM sample_history WHERE sid = ?1 UNION ALL SELECT ts, seq FROM sample_recent WHERE sid = ?1) ORDER BY ts DESC, seq DESC LIMIT 1',
    );
    this.rows = new RecentRowWriter(this.db);
    this.pruneSeries = this.db.prepare('DELETE FROM sample_history WHERE sid = ? AND ts < ?');
    this.pruneRecent = this.db.prepare('DELETE FROM sample_recent WHERE ts < ?');
    // the id of a new series (an existing row's id if it is there: a batch that failed after its commit)
    this.seriesInsert = this.db.prepare('INSERT INTO series (device, point) VALUES (?1, ?2) ON CONFLICT (device, point) DO UPDATE SET device = ?1 RETURNING sid');
    this.sidQuery = this.db.prepare('SELECT sid FROM series WHERE device = ? AND point = ?');
    this.rangeQuery = this.db.prepare(
      'SELECT ts, value, vtype, quality, reason FROM (SELECT ts, seq, value, vtype, quality, reason FROM sample_history WHERE sid = ?1 AND ts >= ?2 AND ts <= ?3 UNION ALL SELECT ts, seq, value, vtype, quality, reason FROM sample_recent WHERE ts >= ?2 AND ts <= ?3 AND sid = ?1) ORDER BY ts, seq LIMIT ?4',
    );
    this.latestQuery = this.db.prepare(
      'SELECT r.device, r.point, s.ts, s.value, s.vtype, s.quality, s.reason FROM series r JOIN sample_history s ON s.sid = r.sid AND (s.ts, s.seq) = (SELECT ts, seq FROM sample_history WHERE sid = r.sid ORDER BY ts DESC, seq DESC LIMIT 1)',
    );
    this.recentInOrder = this.db.prepare(
      'SELECT r.device, r.point, s.ts, s.value, s.vtype, s.quality, s.reason FROM sample_recent s JOIN series r ON r.sid = s.sid ORDER BY s.ts, s.sid, s.seq',
    );
    for (const row of this.db.prepare('SELECT sid, device, point FROM series').all() as Array<{ sid: number; device: string; point: string }>) {
      this.knownSeries.set(`${row.device}\u0000${row.point}`, Number(row.sid));
    }
  }

  write(batch: readonly Sample[]): void {
    if (batch.length === 0) return;
    // the newest keys of this batch are kept on their series as `pending*` and become the series'
    // newest only once the batch committed (a rolled-back batch changes nothing)
    const generation = ++this.generation;
    const touched: Series[] = [];
    const rows = this.rows;
    rows.clear();
    try {
      inTransaction(this.db, () => {
        for (const s of batch) {
          const [value, vtype] = encodeValue(s.value);
          // A value that could not be stored (NaN) is no value: never `good`.
          const quality = QUALITY.indexOf(value === null && s.quality === 'good' ? 'bad' : s.quality);
          const reason = s.reason ?? (value === null && s.value !== null ? 'not a finite number' : null);
          const ts = Math.round(s.ts);
          if (ts < this.noRowBefore) this.noRowBefore = ts;
          const series = this.seriesOf(s.device, s.point);
          if (series.generation !== generation) {
            series.generation = generation;
            series.pendingTs = series.ts;
            series.pendingSeq = series.seq;
            touched.push(series);
          }
          if (!series.stored) {
            series.sid = Number((this.seriesInsert.get(s.device, s.point) as { sid: number }).sid);
            series.stored = true;
          }
          if (ts >= series.pendingTs) {
            const seq = ts === series.pendingTs ? series.pendingSeq + 1 : 0;
            rows.add(series.sid, ts, seq, value, vtype, quality, reason);
            series.pendingTs = ts;
            series.pendingSeq = seq;
          } else {
            // an older reading: its seq is looked up, so the rows of this batch before it must be in
            rows.flush();
            this.insert.run(series.sid, ts, value, vtype, quality, reason);
          }
        }
        rows.flush();
      });
    } catch (err) {
      // rolled back: a series first seen in this batch is not in the file (its id may go to another)
      for (const series of touched) {
        if (!series.committed) {
          series.stored = false;
          series.sid = 0;
        }
      }
      throw err;
    } finally {
      rows.clear();
    }
    for (const series of touched) {
      series.ts = series.pendingTs;
      series.seq = series.pendingSeq;
      if (!series.committed) {
        series.committed = true;
        this.knownSeries.set(`${series.device}\u0000${series.point}`, series.sid);
      }
    }
    this.recentRows += batch.length;
    if (this.recentRows >= this.nextFold) this.tryFold();
    this.checkpointer?.request(this.file);
  }

  /** The state of one series (created on first sight; its newest row is read from the file then). */
  private seriesOf(device: string, point: string): Series {
    let points = this.series.get(device);
    if (points === undefined) {
      points = new Map();
      this.series.set(device, points);
    }
    let series = points.get(point);
    if (series === undefined) {
      series = this.loadSeries(device, point);
      points.set(point, series);
    }
    return series;
  }

  private loadSeries(device: string, point: string): Series {
    const sid = this.knownSeries.get(`${device}\u0000${point}`);
    const stored = sid !== undefined;
    const row = stored ? (this.newestQuery.get(sid) as { ts: number; seq: number } | undefined) : undefined;
    // no row yet: any reading is newer (ts >= -Infinity, seq 0 for it)
    return { device, point, sid: sid ?? 0, ts: row?.ts ?? -Infinity, seq: row?.seq ?? -1, pendingTs: 0, pendingSeq: 0, generation: 0, stored, committed: stored };
  }

  /**
   * Move every row of sample_recent to sample_history, sorted by series (one transaction): straight
   * from one table into the other, then the moved rows are deleted. That needs room for the rows
   * twice (the history pages are new pages while sample_recent still holds its own, and both are
   * in the write-ahead log), so on a file system with less than PLAIN_FOLD_ROOM free, or if it
   * fails (the file may not grow), the rows are moved the way that reuses their pages
   * (moveRecentRowsReusingPages).
   */
  fold(): void {
    let moved = false;
    if (freeBytes(dirname(this.file)) >= PLAIN_FOLD_ROOM_BYTES + PLAIN_FOLD_ROOM_BYTES_PER_ROW * this.recentRows) {
      try {
        inTransaction(this.db, () => moveRecentRows(this.db));
        moved = true;
      } catch {
        // rolled back; the rows are still in sample_recent
      }
    }
    if (!moved) inTransaction(this.db, () => moveRecentRowsReusingPages(this.db));
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

  async history(q: HistoryQuery): Promise<Sample[]> {
    // (a series this store has not seen is looked up: another connection may have written it)
    const sid = this.knownSeries.get(`${q.device}\u0000${q.point}`) ?? (this.sidQuery.get(q.device, q.point) as { sid: number } | undefined)?.sid;
    if (sid === undefined) return [];
    const rows = this.rangeQuery.all(sid, q.from, q.to, q.limit) as unknown as Array<Omit<Row, 'device' | 'point'>>;
    return rows.map((r) => toSample({ device: q.device, point: q.point, ...r }));
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

  /**
   * Delete samples older than `cutoff` (epoch ms); returns how many went. Nothing to look at when
   * no row can be older than the cutoff (a store younger than its retention: every prune of a
   * month's replay went through each series for nothing).
   */
  prune(cutoff: number): number {
    if (cutoff <= this.noRowBefore) return 0;
    const del = this.pruneSeries;
    let removed = 0;
    inTransaction(this.db, () => {
      for (const sid of this.knownSeries.values()) removed += Number(del.run(sid, cutoff).changes);
      const recent = Number(this.pruneRecent.run(cutoff).changes);
      this.recentRows -= recent;
      removed += recent;
    });
    this.noRowBefore = cutoff;
    return removed;
  }

  /**
   * Delete the `rows` oldest samples of the whole store (by time, every series), one transaction;
   * returns how many went. Used when the disk is full: the freed pages are reused by the next
   * writes, so telemetry keeps its newest history instead of taking more of the disk.
   */
  evictOldest(rows: number): number {
    return inTransaction(this.db, () => {
      this.db.exec('CREATE TEMP TABLE IF NOT EXISTS evicted (sid INTEGER, ts INTEGER, seq INTEGER)');
      this.db
        .prepare('INSERT INTO temp.evicted SELECT sid, ts, seq FROM (SELECT sid, ts, seq FROM sample_history UNION ALL SELECT sid, ts, seq FROM sample_recent) ORDER BY ts, seq LIMIT ?')
        .run(Math.max(1, Math.floor(rows)));
      const keys = 'SELECT sid, ts, seq FROM temp.evicted';
      const history = Number(this.db.prepare(`DELETE FROM sample_history WHERE (sid, ts, seq) IN (${keys})`).run().changes);
      const recent = Number(this.db.prepare(`DELETE FROM sample_recent WHERE (ts, sid, seq) IN (SELECT ts, sid, seq FROM temp.evicted)`).run().changes);
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
    return Number((this.db.prepare('SELECT (SELECT COUNT(*) FROM sample_history) + (SELECT COUNT(*) FROM sample_recent) AS n').get() as { n: number }).n);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
