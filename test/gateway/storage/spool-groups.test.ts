/**
 * spool.db's layout: a row per group of lines appended together (gateway/storage/spool-groups.ts).
 * The contract and model suites check the behaviour; these check the file itself: how many rows an
 * append writes, that any line survives the row encoding, and that a spool.db written with a row per
 * line (before groups) is carried over with its ids, counters and dead letters.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUP_MAX_LINES } from '../../../gateway/storage/spool-groups.ts';
import { SqliteSpool } from '../../../gateway/storage/sqlite-spool.ts';
import { tempDir } from '../../support/temp-dir.ts';

const dir = tempDir('fgw-spool-groups-');
afterAll(() => dir.cleanup());
let files = 0;
const fresh = (): string => join(dir.path, `spool-${files++}.db`);

function rows(file: string): Array<{ id: number; n: number; size: number }> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('SELECT id, n, size FROM spool_groups ORDER BY id').all() as Array<{ id: number; n: number; size: number }>).map((r) => ({ id: Number(r.id), n: Number(r.n), size: Number(r.size) }));
  } finally {
    db.close();
  }
}

describe('spool.db: a row per group of lines', () => {
  it('an append is one row keyed by its last id, split at GROUP_MAX_LINES lines', () => {
    const file = fresh();
    const spool = new SqliteSpool(file, { maxBytes: 1e9 });
    const first = spool.append(['a v=1 1', 'a v=2 2'], 1);
    const many = Array.from({ length: GROUP_MAX_LINES + 5 }, (_, k) => `b v=${k} ${k}`);
    spool.append(many, 2);
    spool.close();
    expect(rows(file).map((r) => [r.id, r.n])).toEqual([
      [first + 1, 2],
      [first + 1 + GROUP_MAX_LINES, GROUP_MAX_LINES],
      [first + 1 + GROUP_MAX_LINES + 5, 5],
    ]);
  });

  it('a settlement that ends inside a row leaves the lines still waiting as rows of consecutive ids', () => {
    const file = fresh();
    const spool = new SqliteSpool(file, { maxBytes: 1e9, memoryBytes: 0 });
    const first = spool.append(['m v=0', 'm v=1', 'm v=2', 'm v=3', 'm v=4', 'm v=5'], 1);
    const batch = spool.take(6);
    // 0 and 1 accepted, 3 refused, the rest kept
    spool.settle(batch, { accepted: [first, first + 1], rejected: [{ id: first + 3, reason: 'bad' }] }, 2);
    spool.close();
    expect(rows(file)).toEqual([
      { id: first + 2, n: 1, size: 5 },
      { id: first + 5, n: 2, size: 10 },
    ]);
    const again = new SqliteSpool(file, { maxBytes: 1e9 });
    expect(again.take(10).items).toEqual([
      { id: first + 2, line: 'm v=2', size: 5 },
      { id: first + 4, line: 'm v=4', size: 5 },
      { id: first + 5, line: 'm v=5', size: 5 },
    ]);
    expect(again.deadLetters(5).map((d) => d.line)).toEqual(['m v=3']);
    again.close();
  });

  it('keeps any line as it was: a newline or quote inside a string field, non-ASCII text', () => {
    const file = fresh();
    const spool = new SqliteSpool(file, { maxBytes: 1e9, memoryBytes: 0 });
    const lines = ['note,device=d1 text="two\nlines" 1', 'note,device=d1 text="a \\"quote\\", 楼层 3" 2', 'plain v=1 3'];
    const first = spool.append(lines, 1);
    expect(spool.take(10).items).toEqual(lines.map((line, k) => ({ id: first + k, line, size: Buffer.byteLength(line) })));
    spool.close();
  });

  it('carries over a spool.db with a row per line: lines, ids, counters and dead letters', () => {
    const file = fresh();
    const old = new DatabaseSync(file);
    old.exec(`
      CREATE TABLE spool (id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, size INTEGER NOT NULL, appended_at INTEGER NOT NULL);
      CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE spool_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO spool_counters (name, value) VALUES ('dropped_lines', 4), ('dead_lettered', 1);
      INSERT INTO dead_letters (line, reason, at) VALUES ('x v=0 1', 'bad', 5);
      INSERT INTO spool (id, line, size, appended_at) VALUES (41, 'm v=41 1', 8, 100), (42, 'm v=42 2', 8, 101), (45, '楼 v=45 3', 10, 102);
      -- ids up to 50 were handed out: 46 to 50 were delivered before the upgrade
      UPDATE sqlite_sequence SET seq = 50 WHERE name = 'spool';
    `);
    old.close();
    const spool = new SqliteSpool(file, { maxBytes: 1e9 });
    expect(spool.stats()).toMatchObject({ depth: 3, bytes: 26, oldestAppendedAt: 100, nextId: 51, droppedLines: 4, deadLettered: 1 });
    expect(spool.append(['n v=1 9'], 200)).toBe(51);
    const batch = spool.take(10);
    expect(batch.items.map((i) => [i.id, i.line])).toEqual([
      [41, 'm v=41 1'],
      [42, 'm v=42 2'],
      [45, '楼 v=45 3'],
      [51, 'n v=1 9'],
    ]);
    spool.settle(batch, { accepted: [41, 42, 51] }, 300);
    expect(spool.deadLetters(5)).toEqual([{ line: 'x v=0 1', reason: 'bad', at: 5 }]);
    spool.close();
    const db = new DatabaseSync(file, { readOnly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'spool%' ORDER BY name").all().map((r) => r.name);
    const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    db.close();
    expect(tables).toEqual(['spool_counters', 'spool_groups']);
    expect(version).toBe(2);
    expect(rows(file)).toEqual([{ id: 45, n: 1, size: 10 }]);
  });

  it('says which row is damaged instead of handing out lines it cannot read', () => {
    const file = fresh();
    const spool = new SqliteSpool(file, { maxBytes: 1e9, memoryBytes: 0 });
    const first = spool.append(['m v=1', 'm v=2'], 1);
    const other = new DatabaseSync(file);
    other.exec(`UPDATE spool_groups SET lines = '["m v=1"]'`);
    other.close();
    expect(() => spool.take(10)).toThrow(`spool.db: the row of lines ending at id ${first + 1} does not hold 2 lines`);
    spool.close();
  });
});
