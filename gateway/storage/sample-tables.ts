/**
 * The tables of telemetry.db (schema version 4 of TELEMETRY_DB in gateway/migrations/schema-plans.ts).
 *
 * Samples arrive interleaved across series (one poll or one bus batch holds a reading of every
 * point), but a history query reads one series over time. A single table keyed by series
 * (device, point, ts, seq) therefore touched one B-tree page per series in every commit: a batch
 * of 147 samples wrote about 786 KB to the write-ahead log (5.3 KB per sample), and SQLite folded
 * the log into the file (with its fsyncs) after nearly every commit.
 *
 * So two tables, like a log-structured store:
 * - `sample_recent`, keyed by time first (ts, sid, seq): a commit appends to the end of one
 *   B-tree, a few pages whatever the number of series;
 * - `sample_history`, keyed by series (sid, ts, seq): what history queries and pruning walk. Rows
 *   move there from `sample_recent` in bulk (the store's fold), sorted by series, so each series'
 *   page is written once per fold instead of once per commit.
 * - `series` gives each (device, point) its integer id `sid` (never reused while a row has it: rows
 *   of `series` are never deleted). A row carries the id, not the two strings: 0.5–0.7 of the CPU
 *   of writing and 0.6 of the file of version 3 (bench:telemetry-store, BENCHMARKS.md).
 * - `samples` is a view over both tables joined with `series` (device, point, ts, seq, value,
 *   vtype, quality, reason), for every reader outside the store (the rules CLI's telemetry record,
 *   tests, benchmarks): a WHERE on device and point finds the id through `series`' unique key and
 *   reaches both tables' keys.
 */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../platform/sqlite-file.ts';
import { TELEMETRY_DB } from '../migrations/schema-plans.ts';
import { latestVersion, userVersion } from '../migrations/migration-runner.ts';

/** The columns of both sample tables, in the order RecentRowWriter binds them. */
export const SAMPLE_COLUMNS = 'sid, ts, seq, value, vtype, quality, reason';
const COLUMN_TYPES = 'sid INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0, value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT';
const VIEW_COLUMNS = 'r.device, r.point, s.ts, s.seq, s.value, s.vtype, s.quality, s.reason';

/**
 * Bring the file to the current schema and create what is missing, in one transaction: a file of an
 * older schema opened without the migration runner (tests, benchmarks, a data directory copied by
 * hand) goes through the same steps as at start (each checks what is there, so on a current file
 * none does anything), then the tables and the view are created if absent (a new file). A file
 * below the latest version is stamped with it, as the runner would: a gateway of an older release
 * then refuses it instead of opening tables it does not know.
 */
export function openSampleTables(db: DatabaseSync): void {
  inTransaction(db, () => {
    for (const migration of TELEMETRY_DB.migrations) migration.up(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS series (sid INTEGER PRIMARY KEY, device TEXT NOT NULL, point TEXT NOT NULL, UNIQUE (device, point)) STRICT;
      CREATE TABLE IF NOT EXISTS sample_history (${COLUMN_TYPES}, PRIMARY KEY (sid, ts, seq)) WITHOUT ROWID, STRICT;
      CREATE TABLE IF NOT EXISTS sample_recent (${COLUMN_TYPES}, PRIMARY KEY (ts, sid, seq)) WITHOUT ROWID, STRICT;
      CREATE VIEW IF NOT EXISTS samples AS
        SELECT ${VIEW_COLUMNS} FROM sample_history s JOIN series r ON r.sid = s.sid
        UNION ALL SELECT ${VIEW_COLUMNS} FROM sample_recent s JOIN series r ON r.sid = s.sid;
    `);
    const latest = latestVersion(TELEMETRY_DB);
    if (userVersion(db) < latest) db.exec(`PRAGMA user_version = ${latest}`);
  });
}

/** The fold (in the caller's transaction): every row of sample_recent into sample_history, sorted by series. */
export function moveRecentRows(db: DatabaseSync): void {
  db.exec(`INSERT INTO sample_history (${SAMPLE_COLUMNS}) SELECT ${SAMPLE_COLUMNS} FROM sample_recent ORDER BY sid, ts, seq`);
  db.exec('DELETE FROM sample_recent');
}

/**
 * The fold on a nearly full disk: the rows are taken out first (into a temporary table in memory)
 * and then inserted, so the pages they free are reused and the move does not need room for its
 * rows twice. It copies every row once more than moveRecentRows (about an eighth of the store's
 * CPU in a month's replay), so it is the fallback only.
 */
export function moveRecentRowsReusingPages(db: DatabaseSync): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS moving AS SELECT ${SAMPLE_COLUMNS} FROM sample_recent WHERE 0`);
  db.exec(`INSERT INTO temp.moving SELECT ${SAMPLE_COLUMNS} FROM sample_recent`);
  db.exec('DELETE FROM sample_recent');
  db.exec(`INSERT INTO sample_history (${SAMPLE_COLUMNS}) SELECT ${SAMPLE_COLUMNS} FROM temp.moving ORDER BY sid, ts, seq`);
  db.exec('DELETE FROM temp.moving');
}
