import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REASON, type Sample } from '../../../gateway/model/sample.ts';
import { FOLD_ROWS, SqliteSampleStore } from '../../../gateway/storage/sqlite-sample-store.ts';
import { makeTempDir, RAM_TMP } from '../../support/temp-dir.ts';

let dir: string;
let store: SqliteSampleStore | undefined;

beforeEach(() => {
  dir = makeTempDir(RAM_TMP, 'sample-store-');
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const range = { from: 0, to: 10_000, limit: 100 };

describe('SqliteSampleStore: nothing invented', () => {
  it('stores a sample without a value as null with its quality and reason, never 0/false/first enum value', async () => {
    store = new SqliteSampleStore(join(dir, 'telemetry.db'));
    const batch: Sample[] = [
      { device: 'fp-1', point: 'zone_1_state', value: null, ts: 1000, quality: 'uncertain', reason: REASON.notYetRead },
      { device: 'fp-1', point: 'panel_fault', value: null, ts: 1000, quality: 'bad', reason: REASON.commsLost },
      { device: 'pump-1', point: 'flow_m3h', value: null, ts: 1000, quality: 'bad', reason: 'modbus exception 2' },
      { device: 'pump-1', point: 'running', value: false, ts: 1000, quality: 'good' },
    ];
    store.write(batch);
    expect(await store.history({ device: 'fp-1', point: 'zone_1_state', ...range })).toEqual([batch[0]]);
    expect(await store.history({ device: 'fp-1', point: 'panel_fault', ...range })).toEqual([batch[1]]);
    expect(await store.history({ device: 'pump-1', point: 'flow_m3h', ...range })).toEqual([batch[2]]);
    // a good value keeps no reason field at all
    expect(await store.history({ device: 'pump-1', point: 'running', ...range })).toEqual([batch[3]]);
    const latest = await store.latest();
    expect(latest.find((s) => s.point === 'zone_1_state')).toEqual(batch[0]);
  });

  it('a NaN number is stored as no value with quality bad, not as 0', async () => {
    store = new SqliteSampleStore(join(dir, 'telemetry.db'));
    store.write([{ device: 'pump-1', point: 'flow_m3h', value: Number.NaN, ts: 5, quality: 'good' }]);
    const [row] = await store.history({ device: 'pump-1', point: 'flow_m3h', ...range });
    expect(row).toEqual({ device: 'pump-1', point: 'flow_m3h', value: null, ts: 5, quality: 'bad', reason: 'not a finite number' });
  });

  it('opens a file written before the reason column: old rows read as before, new rows keep their reason', async () => {
    const file = join(dir, 'telemetry.db');
    const old = new DatabaseSync(file);
    old.exec(`
      CREATE TABLE samples (
        device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL,
        value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL,
        PRIMARY KEY (device, point, ts)
      ) WITHOUT ROWID, STRICT;
      CREATE TABLE series (device TEXT NOT NULL, point TEXT NOT NULL, PRIMARY KEY (device, point)) WITHOUT ROWID;
      INSERT INTO samples VALUES ('pump-1', 'flow_m3h', 1, 12.5, 0, 0);
      INSERT INTO series VALUES ('pump-1', 'flow_m3h');
    `);
    old.close();
    store = new SqliteSampleStore(file);
    store.write([{ device: 'pump-1', point: 'flow_m3h', value: null, ts: 2, quality: 'bad', reason: REASON.commsLost }]);
    expect(await store.history({ device: 'pump-1', point: 'flow_m3h', ...range })).toEqual([
      { device: 'pump-1', point: 'flow_m3h', value: 12.5, ts: 1, quality: 'good' },
      { device: 'pump-1', point: 'flow_m3h', value: null, ts: 2, quality: 'bad', reason: REASON.commsLost },
    ]);
    await store.close();
    // opening again does not try to add the column twice
    store = new SqliteSampleStore(file);
    expect(await store.history({ device: 'pump-1', point: 'flow_m3h', ...range })).toHaveLength(2);
  });
});

const s = (ts: number, value: number): Sample => ({ device: 'pump-1', point: 'flow_m3h', value, ts, quality: 'good' });
const seqs = (file: string): Array<[number, number, number]> => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare("SELECT ts, seq, value FROM samples WHERE device = 'pump-1' ORDER BY ts, seq").all() as Array<{ ts: number; seq: number; value: number }>).map((r) => [r.ts, r.seq, r.value]);
  } finally {
    db.close();
  }
};

describe('SqliteSampleStore: every reading keeps its own row', () => {
  it('numbers readings of one millisecond 0, 1, 2 across batches and a reopen, and stores late (older) readings too', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    store.write([s(1000, 1), s(1000, 2)]);
    store.write([s(1000, 3), s(1001, 4)]);
    await store.close();
    // a new process: the next reading of the newest millisecond continues its numbering
    store = new SqliteSampleStore(file);
    store.write([s(1001, 5), s(1000, 6), s(999, 7), s(1001, 8), s(1002, 9)]);
    expect(seqs(file)).toEqual([
      [999, 0, 7],
      [1000, 0, 1],
      [1000, 1, 2],
      [1000, 2, 3],
      [1000, 3, 6],
      [1001, 0, 4],
      [1001, 1, 5],
      [1001, 2, 8],
      [1002, 0, 9],
    ]);
  });

  it('a batch that fails leaves the numbering as it was', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    store.write([s(2000, 1)]);
    const broken = { ...s(2000, 2), value: { not: 'a value' } as unknown as number };
    expect(() => store?.write([s(2000, 3), broken])).toThrow();
    store.write([s(2000, 4)]);
    expect(seqs(file)).toEqual([
      [2000, 0, 1],
      [2000, 1, 4],
    ]);
  });
});

describe('SqliteSampleStore: a batch written in multi-row statements', () => {
  it('a late reading after newer ones of its series in one long batch gets the next seq of its millisecond', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    // 150 rows of other series around them: the rows are inserted in statements of up to 64 rows, and
    // the late reading comes while the earlier reading of its millisecond waits for its statement
    const others = (ts: number): Sample[] => Array.from({ length: 75 }, (_, i) => ({ device: 'ahu-1', point: `p${i}`, ts, value: i, quality: 'good' as const }));
    store.write([...others(5), s(5, 1), s(10, 2), s(5, 3), ...others(6), s(10, 4)]);
    expect(seqs(file)).toEqual([
      [5, 0, 1],
      [5, 1, 3],
      [10, 0, 2],
      [10, 1, 4],
    ]);
    expect(store.count()).toBe(154);
    expect((await store.history({ device: 'ahu-1', point: 'p74', from: 0, to: 10, limit: 10 })).map((r) => r.ts)).toEqual([5, 6]);
  });

  it('a series first seen in a batch that fails is recorded when a later batch stores it (latest finds it after the move)', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    const broken = { ...s(1, 0), value: { not: 'a value' } as unknown as number };
    expect(() => store?.write([{ device: 'door-1', point: 'open', ts: 1, value: true, quality: 'good' }, broken])).toThrow();
    store.write([{ device: 'door-1', point: 'open', ts: 2, value: false, quality: 'good' }]);
    store.fold();
    expect(await store.latest()).toEqual([{ device: 'door-1', point: 'open', ts: 2, value: false, quality: 'good' }]);
  });
});

describe('SqliteSampleStore: recent rows keyed by time, history keyed by series', () => {
  const tableRows = (file: string, table: string): number => {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      return Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
    } finally {
      db.close();
    }
  };
  /** One batch: a reading of each of `series` points of one device at `ts`. */
  const poll = (ts: number, series: number): Sample[] => Array.from({ length: series }, (_, i) => ({ device: 'pump-1', point: `p${i}`, ts, value: ts + i, quality: 'good' as const }));

  it('answers history and latest from both tables, before and after the rows move, with nothing lost or doubled', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    const series = 100;
    const polls = Math.ceil(FOLD_ROWS / series) + 10; // past one move, then some rows left in sample_recent
    for (let k = 0; k < polls; k++) store.write(poll(1000 + k, series));
    expect(tableRows(file, 'sample_history')).toBe(Math.ceil(FOLD_ROWS / series) * series);
    expect(tableRows(file, 'sample_recent')).toBe(polls * series - Math.ceil(FOLD_ROWS / series) * series);
    expect(store.count()).toBe(polls * series);
    // one series' whole history, in time order, across the two tables
    const p7 = await store.history({ device: 'pump-1', point: 'p7', from: 0, to: 1_000_000, limit: 1_000_000 });
    expect(p7.map((r) => r.ts)).toEqual(Array.from({ length: polls }, (_, k) => 1000 + k));
    expect(p7.map((r) => r.value)).toEqual(Array.from({ length: polls }, (_, k) => 1000 + k + 7));
    // the newest of every series is in sample_recent
    const latest = await store.latest();
    expect(latest).toHaveLength(series);
    expect(latest.every((r) => r.ts === 1000 + polls - 1)).toBe(true);
  });

  it('a reopened store moves what the last run left in sample_recent, and keeps numbering one millisecond', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    store.write([s(1000, 1), s(1000, 2)]);
    await store.close();
    expect(tableRows(file, 'sample_recent')).toBe(2);
    store = new SqliteSampleStore(file);
    expect(tableRows(file, 'sample_recent')).toBe(0);
    expect(tableRows(file, 'sample_history')).toBe(2);
    store.write([s(1000, 3)]);
    expect(seqs(file)).toEqual([
      [1000, 0, 1],
      [1000, 1, 2],
      [1000, 2, 3],
    ]);
  });

  it('prunes and evicts the oldest rows of both tables', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    store.write([s(1, 1), s(2, 2)]);
    store.fold();
    store.write([s(3, 3), s(4, 4), s(5, 5)]);
    expect(store.evictOldest(3)).toBe(3); // 1, 2 from sample_history and 3 from sample_recent
    expect(seqs(file).map(([ts]) => ts)).toEqual([4, 5]);
    expect(store.prune(5)).toBe(1);
    expect(seqs(file).map(([ts]) => ts)).toEqual([5]);
  });

  it('a prune after one that removed everything older still removes a late reading written since, in either table', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    store.write([s(10, 1), s(20, 2)]);
    expect(store.prune(15)).toBe(1);
    expect(store.prune(15)).toBe(0);
    store.write([s(5, 3)]); // older than the last cutoff
    expect(store.prune(15)).toBe(1);
    store.write([s(7, 4)]);
    store.fold();
    expect(store.prune(15)).toBe(1);
    expect(seqs(file)).toEqual([[20, 0, 2]]);
  });

  it('opens a file of schema version 2 (one samples table keyed by series): its rows become sample_history', async () => {
    const file = join(dir, 'telemetry.db');
    const old = new DatabaseSync(file);
    old.exec(`
      CREATE TABLE samples (
        device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
        value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT,
        PRIMARY KEY (device, point, ts, seq)
      ) WITHOUT ROWID, STRICT;
      CREATE TABLE series (device TEXT NOT NULL, point TEXT NOT NULL, PRIMARY KEY (device, point)) WITHOUT ROWID;
      INSERT INTO samples VALUES ('pump-1', 'flow_m3h', 1000, 0, 1, 0, 0, NULL);
      INSERT INTO series VALUES ('pump-1', 'flow_m3h');
    `);
    old.close();
    store = new SqliteSampleStore(file);
    expect(tableRows(file, 'sample_history')).toBe(1);
    store.write([s(1000, 2)]);
    expect(seqs(file)).toEqual([
      [1000, 0, 1],
      [1000, 1, 2],
    ]);
  });
});

describe('SqliteSampleStore: the move into sample_history on a nearly full disk', () => {
  it('moves the rows into the pages they free when the file may not grow, with nothing lost or doubled', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    const series = 50;
    const polls = 100;
    for (let k = 0; k < polls; k++) store.write(Array.from({ length: series }, (_, i) => ({ device: `dev-${i % 5}`, point: `p${i}`, ts: 1000 + k, value: k * i, quality: 'good' as const })));
    // the connection may not add a page to the file (as SQLITE_FULL on a full disk): a move that
    // needs room for its rows in sample_history while sample_recent still holds them fails
    const db = (store as unknown as { db: DatabaseSync }).db;
    const pages = Number((db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
    db.exec(`PRAGMA max_page_count = ${pages}`);
    expect(() => db.exec('INSERT INTO sample_history SELECT sid, ts + 1000000, seq, value, vtype, quality, reason FROM sample_recent')).toThrow(/full/);
    store.fold();
    const db2 = new DatabaseSync(file, { readOnly: true });
    try {
      const count = (table: string): number => Number((db2.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
      expect(count('sample_recent')).toBe(0);
      expect(count('sample_history')).toBe(series * polls);
    } finally {
      db2.close();
    }
    const p7 = await store.history({ device: 'dev-2', point: 'p7', from: 0, to: 1_000_000, limit: 1_000 });
    expect(p7.map((r) => r.value)).toEqual(Array.from({ length: polls }, (_, k) => k * 7));
  });
});
