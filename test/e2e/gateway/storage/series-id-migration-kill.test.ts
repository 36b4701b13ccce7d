/**
 * telemetry.db's migration to version 4 (rows keyed by series id) killed with SIGKILL while it
 * copies: the file is either still at version 3 with every row as it was, or at version 4 with every
 * row (never half of each), and the next start migrates it with nothing invented or lost.
 *
 * The migration runs in a child process (the migration runner, as at the gateway's start) over a
 * file of 600,000 rows; the child is killed once the write-ahead log holds more than 1 MiB, which
 * the rebuild reaches only while it copies (its uncommitted pages spill into the log).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateFile } from '../../../../gateway/migrations/migration-runner.ts';
import { TELEMETRY_DB } from '../../../../gateway/migrations/schema-plans.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { exited, killGroup, spawnTracked } from '../../../support/child-processes.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { createV3SampleTables, V3_COLUMNS } from '../../../support/telemetry-v3-tables.ts';
import { waitFor } from '../../../support/wait-for.ts';

const ROWS = 600_000;
const SERIES = 300;
const COLUMNS = V3_COLUMNS;

let dir: { path: string; cleanup: () => void } | undefined;
afterEach(() => {
  dir?.cleanup();
  dir = undefined;
});

/** A version-3 file: ROWS rows over SERIES series, numbers, text and value-less rows with reasons, seq 0 and 1. */
function writeV3(file: string): void {
  const db = new DatabaseSync(file);
  createV3SampleTables(db);
  db.exec(`
    BEGIN;
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS - 1})
    INSERT INTO sample_history (${COLUMNS})
      SELECT 'device-' || (i % ${SERIES} / 3), 'point_' || (i % ${SERIES}), 1700000000000 + (i / ${SERIES / 2}) * 1000, (i / ${SERIES}) % 2,
             CASE i % 7 WHEN 0 THEN NULL WHEN 1 THEN 'state-' || (i % 5) ELSE i * 0.25 END,
             CASE i % 7 WHEN 0 THEN 3 WHEN 1 THEN 2 ELSE 0 END, i % 3,
             CASE i % 7 WHEN 0 THEN 'comms lost' ELSE NULL END
      FROM n;
    INSERT INTO sample_recent (${COLUMNS}) SELECT device, point, ts + 100000000, seq, value, vtype, quality, reason FROM sample_history WHERE ts < 1700000010000;
    INSERT INTO series SELECT DISTINCT device, point FROM sample_history;
    COMMIT;
    PRAGMA user_version = 3;
  `);
  db.close();
}

/** A digest of every row (device, point, ts, seq, value with its type, vtype, quality, reason) and the count. */
function digest(db: DatabaseSync): { rows: number; digest: string } {
  const row = db
    .prepare(
      `SELECT COUNT(*) AS rows, SUM(ts % 1000003 * (seq + 1)) || ':' || SUM(quality * 7 + vtype) || ':' || COUNT(reason) || ':' || SUM(length(device) + length(point))
         || ':' || TOTAL(CASE typeof(value) WHEN 'real' THEN value ELSE 0 END) || ':' || SUM(CASE typeof(value) WHEN 'text' THEN length(value) ELSE 0 END)
         || ':' || SUM(typeof(value) = 'null') AS digest FROM samples`,
    )
    .get() as { rows: number; digest: string };
  return { rows: Number(row.rows), digest: row.digest };
}

function inspect(file: string): { version: number; keyed: string; rows: number; digest: string; leftovers: number } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    const columns = (db.prepare("SELECT name FROM pragma_table_info('sample_history')").all() as Array<{ name: string }>).map((c) => c.name);
    const leftovers = Number((db.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE name LIKE '%by_id%'").get() as { n: number }).n);
    return { version, keyed: columns[0] ?? '', leftovers, ...digest(db) };
  } finally {
    db.close();
  }
}

const walBytes = (file: string): number => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

describe('telemetry.db migration 4 under SIGKILL', () => {
  it('a migration killed while it copies leaves the file whole at one version; the next run migrates every row', { timeout: 240_000 }, async () => {
    dir = tempDir('fgw-series-kill-', { ram: true });
    const file = join(dir.path, 'telemetry.db');
    writeV3(file);
    const before = inspect(file);
    expect(before).toMatchObject({ version: 3, keyed: 'device', rows: ROWS + 1500, leftovers: 0 });

    const root = resolve(import.meta.dirname, '../../../..');
    const script = `
      import { migrateFile } from ${JSON.stringify(join(root, 'gateway/migrations/migration-runner.ts'))};
      import { TELEMETRY_DB } from ${JSON.stringify(join(root, 'gateway/migrations/schema-plans.ts'))};
      import { silentLogger } from ${JSON.stringify(join(root, 'gateway/log/logger.ts'))};
      await migrateFile(${JSON.stringify(dir.path)}, TELEMETRY_DB, silentLogger());
      process.stdout.write('migrated\\n');
    `;
    const child = spawnTracked(process.execPath, ['--input-type=module', '--eval', script], { cwd: root });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const running = (): boolean => child.exitCode === null && child.signalCode === null;
    await waitFor(() => walBytes(file) > 1024 * 1024 || !running(), 120_000, 'the migration writing to the log', 5);
    expect(running(), `the child ended before it could be killed: ${out}`).toBe(true);
    killGroup(child, 'SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');

    // whole at one version: the rows of version 3 as they were, or every row keyed by id
    const afterKill = inspect(file);
    expect(afterKill.leftovers).toBe(0);
    expect({ rows: afterKill.rows, digest: afterKill.digest }).toEqual({ rows: before.rows, digest: before.digest });
    expect([afterKill.version, afterKill.keyed]).toEqual(afterKill.version === 3 ? [3, 'device'] : [4, 'sid']);

    // the next start migrates it (or finds nothing left to do)
    await migrateFile(dir.path, TELEMETRY_DB, silentLogger());
    const after = inspect(file);
    expect(after).toEqual({ version: 4, keyed: 'sid', leftovers: 0, rows: before.rows, digest: before.digest });
  });
});
