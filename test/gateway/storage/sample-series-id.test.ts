/**
 * telemetry.db version 4: sample rows keyed by an integer series id. A file of version 3 (the
 * tables keyed by the text device, point; its DDL is frozen here as that release wrote it) is
 * brought over by the migration runner and by the store opening it itself, with every row, value,
 * quality, reason and seq kept, and reads, prunes and folds working on it afterwards.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateFile } from '../../../gateway/migrations/migration-runner.ts';
import { TELEMETRY_DB } from '../../../gateway/migrations/schema-plans.ts';
import { SqliteSampleStore } from '../../../gateway/storage/sqlite-sample-store.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { makeTempDir, RAM_TMP } from '../../support/temp-dir.ts';
import { createV3SampleTables, V3_COLUMNS, V3_TYPES } from '../../support/telemetry-v3-tables.ts';

let dir: string;
let store: SqliteSampleStore | undefined;

beforeEach(() => {
  dir = makeTempDir(RAM_TMP, 'sample-series-id-');
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});


type V3Row = [string, string, number, number, number | string | null, number, number, string | null];
/** sample_history: several series, every value kind, a reading without a value and its reason, seq > 0. */
const HISTORY: V3Row[] = [
  ['pump-1', 'flow_m3h', 1000, 0, 12.5, 0, 0, null],
  ['pump-1', 'flow_m3h', 1000, 1, 12.75, 0, 0, null],
  ['pump-1', 'flow_m3h', 2000, 0, null, 3, 2, 'comms lost'],
  ['pump-1', 'running', 1000, 0, 1, 1, 0, null],
  ['fp-1', 'zone_1_state', 1000, 0, 'alarm', 2, 0, null],
  ['fp-1', 'zone_1_state', 3000, 0, null, 3, 1, 'not yet read'],
];
/** sample_recent: newer rows of those series, and a series that `series` does not list. */
const RECENT: V3Row[] = [
  ['pump-1', 'flow_m3h', 5000, 0, 13, 0, 0, null],
  ['pump-1', 'flow_m3h', 5000, 1, 14, 0, 1, null],
  ['fp-1', 'zone_1_state', 5000, 0, 'normal', 2, 0, null],
  ['door-1', 'open', 4000, 0, 0, 1, 0, null],
];

/** A file as the release of schema version 3 wrote it (with `series` as its store made it, unless `withoutSeries`). */
function writeV3(file: string, options: { withoutSeries?: boolean; version?: number } = {}): void {
  const db = new DatabaseSync(file);
  createV3SampleTables(db, options);
  if (!options.withoutSeries) {
    // door-1 is missing (as if its row had been lost); ahu-9 has no sample left (pruned)
    for (const [device, point] of [['pump-1', 'flow_m3h'], ['pump-1', 'running'], ['fp-1', 'zone_1_state'], ['ahu-9', 'temp_c']] as const) {
      db.prepare('INSERT INTO series VALUES (?, ?)').run(device, point);
    }
  }
  for (const [table, rows] of [['sample_history', HISTORY], ['sample_recent', RECENT]] as const) {
    const insert = db.prepare(`INSERT INTO ${table} (${V3_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const row of rows) insert.run(...row);
  }
  db.exec(`PRAGMA user_version = ${options.version ?? 3}`);
  db.close();
}

function read<T>(file: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const columns = (db: DatabaseSync, table: string): string[] => (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((c) => c.name);
/** Every row of the `samples` view, whole and in key order. */
const allRows = (db: DatabaseSync): V3Row[] =>
  (db.prepare(`SELECT ${V3_COLUMNS} FROM samples ORDER BY device, point, ts, seq`).all() as Array<Record<string, number | string | null>>).map(
    (r) => [r.device, r.point, r.ts, r.seq, r.value, r.vtype, r.quality, r.reason] as V3Row,
  );
const sorted = (rows: V3Row[]): V3Row[] => [...rows].sort((a, b) => (a[0] + a[1]).localeCompare(b[0] + b[1]) || a[2] - b[2] || a[3] - b[3]);
const EVERY_ROW = sorted([...HISTORY, ...RECENT]);

/** What version 4 must look like, with every row of the version-3 file. */
function expectVersion4(file: string, rows: { history: number; recent: number }): void {
  read(file, (db) => {
    expect(columns(db, 'sample_history')).toEqual(['sid', 'ts', 'seq', 'value', 'vtype', 'quality', 'reason']);
    expect(columns(db, 'sample_recent')).toEqual(['sid', 'ts', 'seq', 'value', 'vtype', 'quality', 'reason']);
    expect(columns(db, 'series')).toEqual(['sid', 'device', 'point']);
    const ddl = (name: string): string => (db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as { sql: string }).sql;
    expect(ddl('sample_history')).toMatch(/PRIMARY KEY \(sid, ts, seq\)\s*\) WITHOUT ROWID, STRICT$/);
    expect(ddl('sample_recent')).toMatch(/PRIMARY KEY \(ts, sid, seq\)\s*\) WITHOUT ROWID, STRICT$/);
    // the text of device and point is in `series` only
    const count = (table: string): number => Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
    expect([count('sample_history'), count('sample_recent')]).toEqual([rows.history, rows.recent]);
    expect(allRows(db)).toEqual(EVERY_ROW);
    // one id per series, every series of the old file (listed, or only in the rows)
    expect(db.prepare('SELECT device, point FROM series ORDER BY sid').all().map((r) => `${String(r.device)}/${String(r.point)}`)).toEqual([
      'ahu-9/temp_c',
      'door-1/open',
      'fp-1/zone_1_state',
      'pump-1/flow_m3h',
      'pump-1/running',
    ]);
    // the value keeps its storage class (a STRICT ANY column): a number stays a number, text stays text
    expect(db.prepare("SELECT DISTINCT typeof(value) AS t FROM samples WHERE device = 'fp-1' AND value IS NOT NULL").all().map((r) => r.t)).toEqual(['text']);
    expect(db.prepare("SELECT typeof(value) AS t FROM samples WHERE device = 'pump-1' AND point = 'flow_m3h' AND ts = 1000 AND seq = 1").get()).toEqual({ t: 'real' });
  });
}

describe('telemetry.db version 4: series ids', () => {
  it('history finds a series another connection wrote after this store opened (its id is looked up)', async () => {
    const file = join(dir, 'telemetry.db');
    store = new SqliteSampleStore(file);
    const writer = new SqliteSampleStore(file);
    try {
      writer.write([{ device: 'pump-2', point: 'flow_m3h', ts: 10, value: 3.5, quality: 'good' }]);
    } finally {
      await writer.close();
    }
    expect(await store.history({ device: 'pump-2', point: 'flow_m3h', from: 0, to: 100, limit: 10 })).toEqual([
      { device: 'pump-2', point: 'flow_m3h', ts: 10, value: 3.5, quality: 'good' },
    ]);
  });
});

describe('telemetry.db version 4: the migration of a version-3 file', () => {
  it('the migration runner rebuilds both tables keyed by series id with every row, value, quality, reason and seq', async () => {
    const file = join(dir, 'telemetry.db');
    writeV3(file);
    const outcome = await migrateFile(dir, TELEMETRY_DB, silentLogger());
    expect(outcome).toMatchObject({ from: 3, to: 4 });
    expect(outcome.applied).toHaveLength(1);
    expect(read(file, (db) => Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version))).toBe(4);
    expectVersion4(file, { history: HISTORY.length, recent: RECENT.length });
    // the copy taken first is the version-3 file as it was
    read(outcome.backup as string, (db) => {
      expect(columns(db, 'sample_history')).toContain('device');
      expect(allRows(db)).toEqual(EVERY_ROW);
    });
  });

  it('a version-3 file without a series table (as the migration alone left it) gets an id for every series in its rows', async () => {
    const file = join(dir, 'telemetry.db');
    writeV3(file, { withoutSeries: true });
    await migrateFile(dir, TELEMETRY_DB, silentLogger());
    read(file, (db) => {
      expect(allRows(db)).toEqual(EVERY_ROW);
      expect(Number((db.prepare('SELECT COUNT(*) AS n FROM series').get() as { n: number }).n)).toBe(4);
    });
  });

  it('the store opening a version-3 file itself migrates it, then history, latest, new writes, fold, prune and eviction work on it', async () => {
    const file = join(dir, 'telemetry.db');
    writeV3(file);
    store = new SqliteSampleStore(file);
    // the open also moved what the last run left in sample_recent, and stamped version 4
    expectVersion4(file, { history: HISTORY.length + RECENT.length, recent: 0 });
    expect(read(file, (db) => db.prepare('PRAGMA user_version').get())).toEqual({ user_version: 4 });

    expect(await store.history({ device: 'pump-1', point: 'flow_m3h', from: 0, to: 10_000, limit: 100 })).toEqual([
      { device: 'pump-1', point: 'flow_m3h', ts: 1000, value: 12.5, quality: 'good' },
      { device: 'pump-1', point: 'flow_m3h', ts: 1000, value: 12.75, quality: 'good' },
      { device: 'pump-1', point: 'flow_m3h', ts: 2000, value: null, quality: 'bad', reason: 'comms lost' },
      { device: 'pump-1', point: 'flow_m3h', ts: 5000, value: 13, quality: 'good' },
      { device: 'pump-1', point: 'flow_m3h', ts: 5000, value: 14, quality: 'uncertain' },
    ]);
    expect(await store.history({ device: 'ahu-9', point: 'temp_c', from: 0, to: 10_000, limit: 100 })).toEqual([]);
    expect(await store.history({ device: 'nobody', point: 'nothing', from: 0, to: 10_000, limit: 100 })).toEqual([]);
    const byKey = (samples: Array<{ device: string; point: string }>): string[] => samples.map((x) => `${x.device}/${x.point}`).sort();
    const latest = await store.latest();
    expect(byKey(latest)).toEqual(['door-1/open', 'fp-1/zone_1_state', 'pump-1/flow_m3h', 'pump-1/running']);
    expect(latest.find((x) => x.point === 'flow_m3h')).toEqual({ device: 'pump-1', point: 'flow_m3h', ts: 5000, value: 14, quality: 'uncertain' });
    expect(latest.find((x) => x.point === 'open')).toEqual({ device: 'door-1', point: 'open', ts: 4000, value: false, quality: 'good' });

    // a new reading of the newest millisecond continues its seq; a new series gets the next id
    store.write([
      { device: 'pump-1', point: 'flow_m3h', ts: 5000, value: 15, quality: 'good' },
      { device: 'ahu-2', point: 'temp_c', ts: 5000, value: 21, quality: 'good' },
    ]);
    read(file, (db) => {
      expect(db.prepare("SELECT seq, value FROM samples WHERE device = 'pump-1' AND point = 'flow_m3h' AND ts = 5000 ORDER BY seq").all()).toEqual([
        { seq: 0, value: 13 },
        { seq: 1, value: 14 },
        { seq: 2, value: 15 },
      ]);
      expect(db.prepare("SELECT sid FROM series WHERE device = 'ahu-2'").get()).toEqual({ sid: 6 });
    });
    expect(byKey(await store.latest())).toEqual(['ahu-2/temp_c', 'door-1/open', 'fp-1/zone_1_state', 'pump-1/flow_m3h', 'pump-1/running']);
    store.fold();
    expect(store.count()).toBe(EVERY_ROW.length + 2);
    // everything before 2000 goes (four rows of sample_history), in every series
    expect(store.prune(2000)).toBe(4);
    expect((await store.history({ device: 'pump-1', point: 'flow_m3h', from: 0, to: 10_000, limit: 100 })).map((x) => [x.ts, x.value])).toEqual([
      [2000, null],
      [5000, 13],
      [5000, 14],
      [5000, 15],
    ]);
    // the two oldest left: 2000 (pump-1) and 3000 (fp-1)
    expect(store.evictOldest(2)).toBe(2);
    expect(store.count()).toBe(EVERY_ROW.length + 2 - 6);
    expect(read(file, (db) => db.prepare('SELECT MIN(ts) AS ts FROM samples').get())).toEqual({ ts: 4000 });
  });

  it('runs again over a migrated file without changing it (rerun after a crash, or the runner after the store migrated)', async () => {
    const file = join(dir, 'telemetry.db');
    writeV3(file);
    store = new SqliteSampleStore(file);
    await store.close();
    store = undefined;
    const before = read(file, (db) => ({ rows: allRows(db), series: db.prepare('SELECT sid, device, point FROM series ORDER BY sid').all(), schema: db.prepare('SELECT name, sql FROM sqlite_schema ORDER BY name').all() }));
    // the store stamped the version it brought the file to: the runner finds nothing to do
    expect(await migrateFile(dir, TELEMETRY_DB, silentLogger())).toMatchObject({ from: 4, to: 4, applied: [] });
    // and the steps run again over the migrated file (a rerun after a crash) change nothing either
    const again = new DatabaseSync(file);
    try {
      again.exec('PRAGMA user_version = 3');
    } finally {
      again.close();
    }
    expect(await migrateFile(dir, TELEMETRY_DB, silentLogger())).toMatchObject({ from: 3, to: 4 });
    store = new SqliteSampleStore(file);
    await store.close();
    store = undefined;
    const after = read(file, (db) => ({ rows: allRows(db), series: db.prepare('SELECT sid, device, point FROM series ORDER BY sid').all(), schema: db.prepare('SELECT name, sql FROM sqlite_schema ORDER BY name').all() }));
    expect(after).toEqual(before);
  });

  it('a step failing after the rebuild rolls it back: the file stays at version 3 with every row (one transaction)', async () => {
    const file = join(dir, 'telemetry.db');
    writeV3(file);
    const failing = {
      ...TELEMETRY_DB,
      migrations: [
        ...TELEMETRY_DB.migrations,
        {
          version: TELEMETRY_DB.migrations.length + 1,
          description: 'fails after the rebuild',
          up: (db: DatabaseSync) => {
            // the rebuild ran in this transaction
            expect(columns(db, 'sample_history')).toContain('sid');
            throw new Error('power cut');
          },
        },
      ],
    };
    await expect(migrateFile(dir, failing, silentLogger())).rejects.toThrow(/migration 5 \(fails after the rebuild\) failed: power cut; the file stays at version 3/);
    read(file, (db) => {
      expect(Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version)).toBe(3);
      expect(columns(db, 'sample_history')).toEqual(['device', 'point', 'ts', 'seq', 'value', 'vtype', 'quality', 'reason']);
      expect(columns(db, 'series')).toEqual(['device', 'point']);
      expect(allRows(db)).toEqual(EVERY_ROW);
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '%by_id%'").all()).toEqual([]);
    });
    // and the real plan then migrates it
    await migrateFile(dir, TELEMETRY_DB, silentLogger());
    expectVersion4(file, { history: HISTORY.length, recent: RECENT.length });
  });

  it('a file of version 2 (one samples table) and one from before the seq column reach version 4 through every step', async () => {
    for (const [name, ddl] of [
      ['v2.db', `CREATE TABLE samples (${V3_TYPES}, PRIMARY KEY (device, point, ts, seq)) WITHOUT ROWID, STRICT; PRAGMA user_version = 2;`],
      [
        'v0.db',
        'CREATE TABLE samples (device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, PRIMARY KEY (device, point, ts)) WITHOUT ROWID, STRICT;',
      ],
    ] as const) {
      const file = join(dir, name);
      const db = new DatabaseSync(file);
      db.exec(ddl);
      db.exec("INSERT INTO samples (device, point, ts, value, vtype, quality) VALUES ('pump-1', 'flow_m3h', 1000, 12.5, 0, 0), ('fp-1', 'zone_1_state', 1000, 'alarm', 2, 0)");
      db.close();
      await migrateFile(dir, { ...TELEMETRY_DB, file: name }, silentLogger());
      read(file, (r) => {
        expect(columns(r, 'sample_history')).toEqual(['sid', 'ts', 'seq', 'value', 'vtype', 'quality', 'reason']);
        expect(r.prepare('SELECT device, point, ts, seq, value, reason FROM samples ORDER BY device').all()).toEqual([
          { device: 'fp-1', point: 'zone_1_state', ts: 1000, seq: 0, value: 'alarm', reason: null },
          { device: 'pump-1', point: 'flow_m3h', ts: 1000, seq: 0, value: 12.5, reason: null },
        ]);
      });
    }
  });
});
