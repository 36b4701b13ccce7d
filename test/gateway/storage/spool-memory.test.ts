/**
 * The SQLite spool keeps its newest lines in memory for `take` (no read-back from spool.db while a
 * backlog drains) and folds its write-ahead log into the file rarely. The rows stay in the file for
 * durability; these tests tell where a taken line came from by changing its row behind the spool's
 * back (a second connection), which a line served from memory does not see.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { SPOOL_WAL_AUTOCHECKPOINT_PAGES, SqliteSpool } from '../../../gateway/storage/sqlite-spool.ts';
import { tempDir } from '../../support/temp-dir.ts';

const dir = tempDir('fgw-spool-memory-');
afterAll(() => dir.cleanup());
let n = 0;
const fresh = (): string => join(dir.path, `spool-${n++}.db`);
const lines = (count: number, from = 0): string[] => Array.from({ length: count }, (_, i) => `m v=${from + i} ${1000 + from + i}`);

/** Rewrite every row's text in the file (not in the spool's memory). */
function rewriteRows(file: string): void {
  const other = new DatabaseSync(file);
  try {
    other.exec("UPDATE spool_groups SET lines = (SELECT json_group_array('file:' || value) FROM json_each(spool_groups.lines))");
  } finally {
    other.close();
  }
}

describe('SqliteSpool: the newest lines in memory', () => {
  it('takes lines appended by this process from memory, not from the file', () => {
    const file = fresh();
    const spool = new SqliteSpool(file, { maxBytes: 1 << 20 });
    spool.append(lines(10), 1);
    rewriteRows(file);
    expect(spool.take(10).items.map((i) => i.line)).toEqual(lines(10));
    spool.close();
  });

  it('keeps only the newest lines within its byte bound; older ones are read from the file, oldest first', () => {
    const file = fresh();
    const each = Buffer.byteLength(lines(1)[0] as string);
    // room for the last 4 lines of each 6-line append
    const spool = new SqliteSpool(file, { maxBytes: 1 << 20, memoryBytes: 4 * each });
    spool.append(lines(6), 1);
    rewriteRows(file);
    const taken = spool.take(6).items.map((i) => i.line);
    expect(taken).toEqual([...lines(2).map((l) => `file:${l}`), ...lines(4, 2)]);
    spool.close();
  });

  it('with no memory every line is read from the file', () => {
    const file = fresh();
    const spool = new SqliteSpool(file, { maxBytes: 1 << 20, memoryBytes: 0 });
    spool.append(lines(3), 1);
    rewriteRows(file);
    expect(spool.take(3).items.map((i) => i.line)).toEqual(lines(3).map((l) => `file:${l}`));
    spool.close();
  });

  it('lines spooled before a restart are read from the file, lines appended after it from memory', () => {
    const file = fresh();
    const before = new SqliteSpool(file, { maxBytes: 1 << 20 });
    before.append(lines(2), 1);
    before.close();
    const spool = new SqliteSpool(file, { maxBytes: 1 << 20 });
    rewriteRows(file);
    spool.append(lines(2, 2), 2);
    expect(spool.take(4).items.map((i) => i.line)).toEqual([...lines(2).map((l) => `file:${l}`), ...lines(2, 2)]);
    spool.close();
  });

  it('a line settled as accepted or dropped by the size bound is not taken again from memory', () => {
    const file = fresh();
    const each = Buffer.byteLength(lines(1)[0] as string);
    const spool = new SqliteSpool(file, { maxBytes: 3 * each });
    spool.append(lines(3), 1);
    const first = spool.take(1);
    spool.settle(first, { accepted: first.items.map((i) => i.id) }, 2);
    spool.append(lines(2, 3), 3); // 4 lines > 3 lines' bytes: the oldest waiting line (v=1) is dropped
    expect(spool.take(10).items.map((i) => i.line)).toEqual(lines(3, 2));
    expect(spool.stats().droppedLines).toBe(1);
    spool.close();
  });
});

describe('SqliteSpool: the write-ahead log', () => {
  it(`is folded into spool.db only after ${SPOOL_WAL_AUTOCHECKPOINT_PAGES} pages, not SQLite's default 1,000`, () => {
    const file = fresh();
    const spool = new SqliteSpool(file, { maxBytes: 1 << 30 });
    const empty = statSync(file).size;
    const line = `m ${'x'.repeat(1000)}=1 1`;
    // about 8 MB of lines (2,000 pages): past SQLite's default fold point, well under ours
    for (let i = 0; i < 8; i++) spool.append(Array.from({ length: 1000 }, () => line), i);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1000 * 4096);
    expect(statSync(file).size).toBe(empty);
    spool.close();
  });
});
