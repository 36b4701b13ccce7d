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

/** Lines per row at most (a backlog request of 20,000 lines reads about 20 rows). */
export const GROUP_MAX_LINES = 1_000;

export const GROUPS_TABLE = 'spool_groups';

/** Create the tables; a spool.db of the row-per-line layout (before groups) is carried over. */
export function createGroupTables(db: DatabaseSync): void {
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
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spool'").get() === undefined) return;
  // Row per line: each row becomes a group of one with the same id, and the ids go on from the
  // last one handed out (AUTOINCREMENT's counter), even when the old table was empty.
  inTransaction(db, () => {
    db.exec(`INSERT INTO ${GROUPS_TABLE} (id, n, size, appended_at, lines) SELECT id, 1, size, appended_at, json_array(line) FROM spool ORDER BY id`);
    const old = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'spool'").get() as { seq: number } | undefined;
    const seq = Math.max(Number(old?.seq ?? 0), groupSeq(db));
    db.prepare(`DELETE FROM sqlite_sequence WHERE name = '${GROUPS_TABLE}'`).run();
    db.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('${GROUPS_TABLE}', ?)`).run(seq);
    db.exec('DROP TABLE spool');
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
