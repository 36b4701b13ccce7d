/**
 * How spool.db holds its lines: a row per *group* of lines appended together (up to
 * GROUP_MAX_LINES), not a row per line. The row is keyed by the id of its last line; its lines have
 * the consecutive ids ending there (`n` of them). A row's lines are a JSON array of strings: line
 * protocol can carry a newline inside a string field, so the lines cannot simply be joined.
 *
 * Why: while a backlog drained, SQLite's own work per line (an index entry and a record per append,
 * a row read per take, a row delete per settlement) and the garbage of a row array per line were
 * most of the storage worker's busy time; per group they are paid once for up to a thousand lines.
 *
 * A group partly settled (a take that ended inside it, a line refused) is rewritten as the runs of
 * its lines still waiting, each a row of its own, so a row's ids always stay consecutive.
 */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../platform/sqlite-file.ts';
import { SPOOL_DB } from '../migrations/schema-plans.ts';
import { latestVersion, userVersion } from '../migrations/migration-runner.ts';

/** Lines per row at most (a backlog request of 20,000 lines reads about 20 rows). */
export const GROUP_MAX_LINES = 1_000;

export const GROUPS_TABLE = 'spool_groups';

/**
 * Bring spool.db to the current schema and create what is missing, in one transaction, as
 * telemetry.db's tables do (sample-tables.ts): a file of an older schema opened without the
 * migration runner goes through the same steps as at start (SPOOL_DB in schema-plans.ts: a file
 * with a row per line is carried over), then the tables are created if absent and the file is
 * stamped with the latest version.
 */
export function openGroupTables(db: DatabaseSync): void {
  inTransaction(db, () => {
    for (const migration of SPOOL_DB.migrations) migration.up(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${GROUPS_TABLE} (
        id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, size INTEGER NOT NULL, appended_at INTEGER NOT NULL, lines TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS spool_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT OR IGNORE INTO spool_counters (name, value) VALUES ('dropped_lines', 0), ('dead_lettered', 0);
    `);
    const latest = latestVersion(SPOOL_DB);
    if (userVersion(db) < latest) db.exec(`PRAGMA user_version = ${latest}`);
  });
}

/** The largest id ever handed out (0 when none): the next line gets this + 1. */
export function groupSeq(db: DatabaseSync): number {
  const row = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = '${GROUPS_TABLE}'`).get() as { seq: number } | undefined;
  return row ? Number(row.seq) : 0;
}

export function encodeGroup(lines: readonly string[]): string {
  return JSON.stringify(lines);
}

/** A row's lines; a row that does not hold `n` strings is a damaged file, said as such. */
export function decodeGroup(text: string, n: number, last: number): string[] {
  const lines: unknown = JSON.parse(text);
  if (!Array.isArray(lines) || lines.length !== n || lines.some((l) => typeof l !== 'string')) {
    throw new Error(`spool.db: the row of lines ending at id ${last} does not hold ${n} lines`);
  }
  return lines as string[];
}

/** A row's size, append time and lines (JSON), as `SELECT size, appended_at, lines` reads them. */
export type StoredRow = [size: number, appendedAt: number, text: string];

export interface GroupLines {
  readonly lines: string[];
  /** Bytes of all the lines. */
  readonly size: number;
  /** Bytes of line `k`. */
  readonly sizeOf: (k: number) => number;
  readonly appendedAt: number;
}

/** A stored row decoded: its lines and their bytes (the row keyed `last`, of `n` lines). */
export function decodeRow([size, appendedAt, text]: StoredRow, n: number, last: number): GroupLines {
  const lines = decodeGroup(text, n, last);
  return { lines, size, sizeOf: lineSizesOf(lines, size), appendedAt };
}

/**
 * The UTF-8 bytes of each line, given the group's total: when the total equals the count of UTF-16
 * units, every line is ASCII and its length is its size (the usual case, no per-line byte count).
 */
export function lineSizesOf(lines: readonly string[], total: number): (k: number) => number {
  let units = 0;
  for (const line of lines) units += line.length;
  if (units === total) return (k) => (lines[k] as string).length;
  return (k) => Buffer.byteLength(lines[k] as string, 'utf8');
}
