/**
 * The tables of telemetry.db (schema version 3 of TELEMETRY_DB in gateway/migrations/schema-plans.ts).
 *
 * Samples arrive interleaved across series (one poll or one bus batch holds a reading of every
 * point), but a history query reads one series over time. A single table keyed by series
 * (device, point, ts, seq) therefore touched one B-tree page per series in every commit: a batch
 * of 147 samples wrote about 786 KB to the write-ahead log (5.3 KB per sample), and SQLite folded
 * the log into the file (with its fsyncs) after nearly every commit.
 *
 * So two tables, like a log-structured store:
 * - `sample_recent`, keyed by time first (ts, device, point, seq): a commit appends to the end of
 *   one B-tree, a few pages whatever the number of series;
 * - `sample_history`, keyed by series (device, point, ts, seq): what history queries and pruning
 *   walk. Rows move there from `sample_recent` in bulk (the store's fold), sorted by series, so
 *   each series' page is written once per fold instead of once per commit.
 * - `samples` is a view over both, for every reader outside the store (the rules CLI's telemetry
 *   record, backups, tests, benchmarks): a WHERE on it reaches both tables' keys.
 */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../platform/sqlite-file.ts';
import { SAMPLES_TO_SEQ_KEY } from '../migrations/schema-plans.ts';

const COLUMNS = 'device, point, ts, seq, value, vtype, quality, reason';
const COLUMN_TYPES =
  'device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0, value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT';

export const SAMPLE_COLUMNS = COLUMNS;

function tableKind(db: DatabaseSync, name: string): string | undefined {
  const row = db.prepare('SELECT type FROM sqlite_schema WHERE name = ?').get(name) as { type: string } | undefined;
  return row?.type;
}

/**
 * Create the tables and the view, or split a file of schema version 2 (one `samples` table keyed
 * by series): that table is renamed `sample_history` (a rename, not a copy) and the others are added.
 */
export function ensureSampleTables(db: DatabaseSync): void {
  if (tableKind(db, 'samples') === 'table') db.exec('ALTER TABLE samples RENAME TO sample_history');
  db.exec(`
    CREATE TABLE IF NOT EXISTS sample_history (${COLUMN_TYPES}, PRIMARY KEY (device, point, ts, seq)) WITHOUT ROWID, STRICT;
    CREATE TABLE IF NOT EXISTS sample_recent (${COLUMN_TYPES}, PRIMARY KEY (ts, device, point, seq)) WITHOUT ROWID, STRICT;
    CREATE VIEW IF NOT EXISTS samples AS SELECT ${COLUMNS} FROM sample_history UNION ALL SELECT ${COLUMNS} FROM sample_recent;
    CREATE TABLE IF NOT EXISTS series (device TEXT NOT NULL, point TEXT NOT NULL, PRIMARY KEY (device, point)) WITHOUT ROWID;
  `);
}

/** The fold (in the caller's transaction): every row of sample_recent into sample_history, sorted by series. */
export function moveRecentRows(db: DatabaseSync): void {
  db.exec(`INSERT INTO sample_history (${COLUMNS}) SELECT ${COLUMNS} FROM sample_recent ORDER BY device, point, ts, seq`);
  db.exec('DELETE FROM sample_recent');
}

/**
 * The fold on a nearly full disk: the rows are taken out first (into a temporary table in memory)
 * and then inserted, so the pages they free are reused and the move does not need room for its
 * rows twice. It copies every row once more than moveRecentRows (about an eighth of the store's
 * CPU in a month's replay), so it is the fallback only.
 */
export function moveRecentRowsReusingPages(db: DatabaseSync): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS moving AS SELECT ${COLUMNS} FROM sample_recent WHERE 0`);
  db.exec(`INSERT INTO temp.moving SELECT ${COLUMNS} FROM sample_recent`);
  db.exec('DELETE FROM sample_recent');
  db.exec(`INSERT INTO sample_history (${COLUMNS}) SELECT ${COLUMNS} FROM temp.moving ORDER BY device, point, ts, seq`);
  db.exec('DELETE FROM temp.moving');
}

/** A store from before the seq column (key (device, point, ts)) is rebuilt once with seq 0. */
export function migrateToSeqKey(db: DatabaseSync): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('samples')").all() as Array<{ name: string }>;
  if (columns.length === 0 || columns.some((c) => c.name === 'seq')) return;
  inTransaction(db, () => db.exec(SAMPLES_TO_SEQ_KEY));
}
