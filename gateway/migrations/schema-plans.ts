/**
 * The ordered migrations of every SQLite file of the data directory (migration-runner.ts). A step
 * is never edited once released: a later change is a new step. Steps check what is there (a
 * column, a table) because files from before schema versions (version 0) differ in age.
 *
 * Release history these steps cover (the oldest reconstructed: git commit 968f1a4, whose files are
 * the fixtures in test/fixtures/schema-968f1a4/):
 * - gateway.db 1: as of 968f1a4 (the work-order tables stamped user_version 1 then).
 *   gateway.db 2: sessions with last use and credential; audit log with role, address, via and a
 *   hash chain (prev_hash, hash; the audit log seals older rows itself when it opens).
  gateway.db 3: the end time (`until`) of a device mode and of its journal rows.
 * - telemetry.db 1: a sample's reason (nullable column). 2: a sequence number in the key, so two
 *   readings of one point in the same millisecond are both kept. 3: samples in two tables, recent
 *   ones keyed by time and history keyed by series, behind a `samples` view
 *   (gateway/storage/sample-tables.ts says why). 4: both tables keyed by an integer series id
 *   (`sid`, a row of `series`) instead of the text (device, point); `samples` joins through `series`.
 * - spool.db 1: as of 968f1a4. 2: a row per group of lines appended together (`spool_groups`)
 *   instead of a row per line (`spool`).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { SchemaPlan } from './migration-runner.ts';

/**
 * telemetry.db's version 2: the samples table from before the seq column (key (device, point, ts))
 * rebuilt with seq 0. Also run by the telemetry store when it opens such a file itself.
 */
const SAMPLES_TO_SEQ_KEY = `
  CREATE TABLE samples_seq (
    device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
    value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT,
    PRIMARY KEY (device, point, ts, seq)
  ) WITHOUT ROWID, STRICT;
  INSERT INTO samples_seq (device, point, ts, seq, value, vtype, quality, reason) SELECT device, point, ts, 0, value, vtype, quality, reason FROM samples;
  DROP TABLE samples;
  ALTER TABLE samples_seq RENAME TO samples;
`;

/**
 * telemetry.db's version 3: the samples table of version 2 (keyed by series) renamed
 * `sample_history`, a `sample_recent` keyed by time beside it and a `samples` view over both.
 * Also run by the telemetry store when it opens such a file itself.
 */
const SAMPLES_SPLIT = `
  ALTER TABLE samples RENAME TO sample_history;
  CREATE TABLE sample_recent (
    device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
    value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT,
    PRIMARY KEY (ts, device, point, seq)
  ) WITHOUT ROWID, STRICT;
  CREATE VIEW samples AS
    SELECT device, point, ts, seq, value, vtype, quality, reason FROM sample_history
    UNION ALL SELECT device, point, ts, seq, value, vtype, quality, reason FROM sample_recent;
`;

/**
 * telemetry.db's version 4: the two sample tables of version 3 (keyed by the text device, point)
 * rebuilt keyed by an integer series id. `series` (device, point) becomes `series` (sid, device,
 * point): every pair of the old `series` (a file of version 3 made by the migration alone may have
 * none) and of both tables gets an id, in (device, point) order; each row is copied once with its
 * ts, seq, value, vtype, quality and reason, sorted by its table's key (an append, not a random
 * insert). Runs inside one transaction (the migration runner's, or the store's when it opens such a
 * file itself): a crash leaves the file at version 3.
 */
const SAMPLES_TO_SERIES_ID = `
  CREATE TABLE IF NOT EXISTS series (device TEXT NOT NULL, point TEXT NOT NULL, PRIMARY KEY (device, point)) WITHOUT ROWID;
  CREATE TABLE series_by_id (sid INTEGER PRIMARY KEY, device TEXT NOT NULL, point TEXT NOT NULL, UNIQUE (device, point)) STRICT;
  INSERT INTO series_by_id (device, point)
    SELECT device, point FROM series UNION SELECT device, point FROM sample_history UNION SELECT device, point FROM sample_recent
    ORDER BY device, point;
  CREATE TABLE sample_history_by_id (
    sid INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
    value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT,
    PRIMARY KEY (sid, ts, seq)
  ) WITHOUT ROWID, STRICT;
  INSERT INTO sample_history_by_id (sid, ts, seq, value, vtype, quality, reason)
    SELECT r.sid, s.ts, s.seq, s.value, s.vtype, s.quality, s.reason FROM sample_history s JOIN series_by_id r ON r.device = s.device AND r.point = s.point
    ORDER BY r.sid, s.ts, s.seq;
  CREATE TABLE sample_recent_by_id (
    sid INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
    value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT,
    PRIMARY KEY (ts, sid, seq)
  ) WITHOUT ROWID, STRICT;
  INSERT INTO sample_recent_by_id (sid, ts, seq, value, vtype, quality, reason)
    SELECT r.sid, s.ts, s.seq, s.value, s.vtype, s.quality, s.reason FROM sample_recent s JOIN series_by_id r ON r.device = s.device AND r.point = s.point
    ORDER BY s.ts, r.sid, s.seq;
  DROP VIEW samples;
  DROP TABLE sample_history;
  DROP TABLE sample_recent;
  DROP TABLE series;
  ALTER TABLE series_by_id RENAME TO series;
  ALTER TABLE sample_history_by_id RENAME TO sample_history;
  ALTER TABLE sample_recent_by_id RENAME TO sample_recent;
  CREATE VIEW samples AS
    SELECT r.device, r.point, s.ts, s.seq, s.value, s.vtype, s.quality, s.reason FROM sample_history s JOIN series r ON r.sid = s.sid
    UNION ALL SELECT r.device, r.point, s.ts, s.seq, s.value, s.vtype, s.quality, s.reason FROM sample_recent s JOIN series r ON r.sid = s.sid;
`;

function columnsOf(db: DatabaseSync, table: string): Set<string> {
  return new Set((db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((c) => c.name));
}

export const GATEWAY_DB: SchemaPlan = {
  file: 'gateway.db',
  migrations: [
    { version: 1, description: 'schema of 968f1a4 (alarms, work orders 1, uptime ledger, sessions, audit log)', up: () => {} },
    {
      version: 2,
      description: 'sessions: last_seen, credential; audit_log: role, address, via, prev_hash, hash; audit_anchor',
      up: (db) => {
        const sessions = columnsOf(db, 'sessions');
        if (sessions.size > 0) {
          if (!sessions.has('last_seen')) db.exec('ALTER TABLE sessions ADD COLUMN last_seen INTEGER');
          if (!sessions.has('credential')) db.exec('ALTER TABLE sessions ADD COLUMN credential TEXT');
        }
        const audit = columnsOf(db, 'audit_log');
        if (audit.size > 0) {
          for (const column of ['role', 'address', 'via', 'prev_hash', 'hash']) if (!audit.has(column)) db.exec(`ALTER TABLE audit_log ADD COLUMN ${column} TEXT`);
          db.exec('CREATE TABLE IF NOT EXISTS audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), after_id INTEGER NOT NULL, hash TEXT NOT NULL)');
        }
      },
    },
    {
      version: 3,
      description: 'alarm_device_modes.until, alarm_device_mode_log.until (end time of maintenance / out of service)',
      up: (db) => {
        for (const table of ['alarm_device_modes', 'alarm_device_mode_log']) {
          const columns = columnsOf(db, table);
          if (columns.size > 0 && !columns.has('until')) db.exec(`ALTER TABLE ${table} ADD COLUMN until INTEGER`);
        }
      },
    },
  ],
};

export const TELEMETRY_DB: SchemaPlan = {
  file: 'telemetry.db',
  migrations: [
    {
      version: 1,
      description: 'samples.reason',
      up: (db) => {
        const columns = columnsOf(db, 'samples');
        if (columns.size > 0 && !columns.has('reason')) db.exec('ALTER TABLE samples ADD COLUMN reason TEXT');
      },
    },
    {
      version: 2,
      description: 'samples keyed by (device, point, ts, seq)',
      up: (db) => {
        const columns = columnsOf(db, 'samples');
        if (columns.size === 0 || columns.has('seq')) return;
        db.exec(SAMPLES_TO_SEQ_KEY);
      },
    },
    {
      version: 3,
      description: 'samples split: sample_history (keyed by series, the old table renamed), sample_recent (keyed by time), view samples over both',
      up: (db) => {
        const kind = db.prepare("SELECT type FROM sqlite_schema WHERE name = 'samples'").get() as { type: string } | undefined;
        if (kind?.type !== 'table') return;
        db.exec(SAMPLES_SPLIT);
      },
    },
    {
      version: 4,
      description: 'sample_history, sample_recent keyed by an integer series id (series.sid) instead of (device, point); view samples joins series',
      up: (db) => {
        if (!columnsOf(db, 'sample_history').has('device')) return;
        db.exec(SAMPLES_TO_SERIES_ID);
      },
    },
  ],
};

/**
 * spool.db's version 2: the `spool` table of a row per line carried into `spool_groups`, a row per
 * group of lines appended together, keyed by its last line's id (gateway/storage/spool-groups.ts
 * says why). Each old row becomes a group of one with the same id; the ids go on from the old
 * table's AUTOINCREMENT counter, so no id is handed out twice. Also run by the spool when it opens
 * such a file itself.
 */
const SPOOL_TO_GROUPS = `
  CREATE TABLE IF NOT EXISTS spool_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, size INTEGER NOT NULL, appended_at INTEGER NOT NULL, lines TEXT NOT NULL
  );
  INSERT INTO spool_groups (id, n, size, appended_at, lines) SELECT id, 1, size, appended_at, json_array(line) FROM spool ORDER BY id;
  CREATE TEMP TABLE spool_seq AS SELECT MAX(seq) AS seq FROM (SELECT seq FROM sqlite_sequence WHERE name IN ('spool', 'spool_groups') UNION ALL SELECT 0);
  DELETE FROM sqlite_sequence WHERE name = 'spool_groups';
  INSERT INTO sqlite_sequence (name, seq) SELECT 'spool_groups', seq FROM spool_seq;
  DROP TABLE spool_seq;
  DROP TABLE spool;
`;

export const SPOOL_DB: SchemaPlan = {
  file: 'spool.db',
  migrations: [
    { version: 1, description: 'schema of 968f1a4 (spool, dead letters, counters)', up: () => {} },
    {
      version: 2,
      description: 'spool (a row per line) carried into spool_groups (a row per group of lines appended together, keyed by its last line id)',
      up: (db) => {
        if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'spool'").get() === undefined) return;
        db.exec(SPOOL_TO_GROUPS);
      },
    },
  ],
};

/** Every SQLite file of the data directory, migrated at start in this order. */
export const SCHEMA_PLANS: readonly SchemaPlan[] = [GATEWAY_DB, TELEMETRY_DB, SPOOL_DB];
