/**
 * telemetry.db's sample tables as schema version 3 wrote them (keyed by the text device, point),
 * frozen here for the tests of the migration to version 4 (series ids): the unit test's small file
 * and the e2e test's 600,000-row file that is killed while it migrates.
 */
import type { DatabaseSync } from 'node:sqlite';

export const V3_COLUMNS = 'device, point, ts, seq, value, vtype, quality, reason';
export const V3_TYPES =
  'device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0, value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT';

/** `sample_history`, `sample_recent` and the `samples` view over both, in WAL mode; `series` too unless `withoutSeries`. */
export function createV3SampleTables(db: DatabaseSync, options: { withoutSeries?: boolean } = {}): void {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`
    CREATE TABLE sample_history (${V3_TYPES}, PRIMARY KEY (device, point, ts, seq)) WITHOUT ROWID, STRICT;
    CREATE TABLE sample_recent (${V3_TYPES}, PRIMARY KEY (ts, device, point, seq)) WITHOUT ROWID, STRICT;
    CREATE VIEW samples AS SELECT ${V3_COLUMNS} FROM sample_history UNION ALL SELECT ${V3_COLUMNS} FROM sample_recent;
  `);
  if (!options.withoutSeries) db.exec('CREATE TABLE series (device TEXT NOT NULL, point TEXT NOT NULL, PRIMARY KEY (device, point)) WITHOUT ROWID');
}
