/** The migration runner on small files: ordered steps in one transaction, a copy first, newer files refused. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { migrateFile, SchemaVersionError, stampNewFiles, type SchemaPlan } from '../../../gateway/migrations/migration-runner.ts';
import { tempDir } from '../../support/temp-dir.ts';

const version = (file: string): number => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  } finally {
    db.close();
  }
};

function oldFile(dir: string, v: number): string {
  const file = join(dir, 'x.db');
  const db = new DatabaseSync(file);
  db.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2);');
  db.exec(`PRAGMA user_version = ${v}`);
  db.close();
  return file;
}

const plan = (third: (db: DatabaseSync) => void = (db) => db.exec("UPDATE t SET b = 'c'")): SchemaPlan => ({
  file: 'x.db',
  migrations: [
    { version: 1, description: 'baseline', up: () => {} },
    { version: 2, description: 'column b', up: (db) => db.exec('ALTER TABLE t ADD COLUMN b TEXT') },
    { version: 3, description: 'fill b', up: third },
  ],
});

describe('schema migrations', () => {
  it('runs the pending steps in order after taking a copy, and stamps the latest version', async () => {
    const dir = tempDir('mig-');
    const file = oldFile(dir.path, 1);
    const out = await migrateFile(dir.path, plan(), silentLogger(), () => Date.UTC(2026, 10, 29, 12));
    expect(out).toMatchObject({ from: 1, to: 3, applied: ['2: column b', '3: fill b'] });
    expect(version(file)).toBe(3);
    const db = new DatabaseSync(file, { readOnly: true });
    expect(db.prepare('SELECT a, b FROM t ORDER BY a').all()).toEqual([{ a: 1, b: 'c' }, { a: 2, b: 'c' }]);
    db.close();
    // the copy is the file as it was
    expect(out.backup).toBe(join(dir.path, 'migration-backups', 'x.v1.2026-11-29T12-00-00-000Z.db'));
    expect(version(out.backup as string)).toBe(1);
    const copy = new DatabaseSync(out.backup as string, { readOnly: true });
    expect(copy.prepare("SELECT name FROM pragma_table_info('t')").all()).toEqual([{ name: 'a' }]);
    copy.close();
    // nothing more to do the second time, and no second copy
    expect(await migrateFile(dir.path, plan(), silentLogger())).toMatchObject({ from: 3, to: 3, applied: [] });
    expect(readdirSync(join(dir.path, 'migration-backups'))).toHaveLength(1);
  });

  it('a failing step rolls every step back: the file keeps its version and data', async () => {
    const dir = tempDir('mig-');
    const file = oldFile(dir.path, 1);
    await expect(
      migrateFile(dir.path, plan(() => {
        throw new Error('boom');
      }), silentLogger()),
    ).rejects.toThrow(/x\.db: migration 3 \(fill b\) failed: boom; the file stays at version 1/);
    expect(version(file)).toBe(1);
    const db = new DatabaseSync(file, { readOnly: true });
    expect(db.prepare("SELECT name FROM pragma_table_info('t')").all()).toEqual([{ name: 'a' }]); // step 2 undone
    db.close();
  });

  it('refuses a file of a newer release, naming the file and both versions, and leaves it alone', async () => {
    const dir = tempDir('mig-');
    const file = oldFile(dir.path, 7);
    const err = await migrateFile(dir.path, plan(), silentLogger()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaVersionError);
    expect((err as Error).message).toBe(
      `${file} has schema version 7, newer than this gateway knows (3): it was written by a newer release of the gateway. Run that release again, or restore a backup made by this one (gateway restore); the file was not changed.`,
    );
    expect(version(file)).toBe(7);
    expect(existsSync(join(dir.path, 'migration-backups'))).toBe(false);
  });

  it('a new file is made by its part and stamped afterwards; an empty one is stamped at once', async () => {
    const dir = tempDir('mig-');
    const out = await migrateFile(dir.path, plan(), silentLogger());
    expect(out).toMatchObject({ missing: true });
    expect(existsSync(join(dir.path, 'x.db'))).toBe(false); // not made here (spool.db exists only with storage.influx)
    const db = new DatabaseSync(join(dir.path, 'x.db'));
    db.exec('CREATE TABLE t (a INTEGER, b TEXT)');
    db.close();
    stampNewFiles([out], [plan()]);
    expect(version(join(dir.path, 'x.db'))).toBe(3);
  });

  it('a plan may name a file outside the data directory by its absolute path', async () => {
    const dir = tempDir('mig-');
    const elsewhere = tempDir('mig-elsewhere-');
    const file = oldFile(elsewhere.path, 1);
    const out = await migrateFile(dir.path, { ...plan(), file }, silentLogger());
    expect(out).toMatchObject({ file, from: 1, to: 3 });
    expect(version(file)).toBe(3);
    expect(out.backup?.startsWith(join(dir.path, 'migration-backups'))).toBe(true);
  });

  it('steps must be numbered 1, 2, 3 in order', async () => {
    const dir = tempDir('mig-');
    oldFile(dir.path, 0);
    await expect(migrateFile(dir.path, { file: 'x.db', migrations: [{ version: 2, description: 'x', up: () => {} }] }, silentLogger())).rejects.toThrow(/numbered 2/);
  });
});
