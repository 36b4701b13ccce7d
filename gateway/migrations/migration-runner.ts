/**
 * Schema versions of the gateway's SQLite files (PRAGMA user_version) and their ordered migrations,
 * run at start before any part opens the file: a copy is taken first (SQLite online backup), then
 * every pending migration and the new version are committed in one transaction, so a crash leaves
 * the file at its old version (and the copy beside it). A file written by a newer gateway (a version
 * this one does not know) is refused with a message naming the file and both versions.
 *
 * Each part still creates its own tables with CREATE TABLE IF NOT EXISTS: a new file gets the
 * current schema from them and is stamped with the latest version at once. Migrations bring files of
 * older releases to that schema.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { openSqlite, rollbackQuietly } from '../platform/sqlite-file.ts';

export interface Migration {
  /** The version the file has after this step (1, 2, ...: one step per version, in order). */
  readonly version: number;
  readonly description: string;
  /** Runs inside the migration transaction; must not begin or commit one itself. */
  up(db: DatabaseSync): void;
}

export interface SchemaPlan {
  /** File name in the data directory (`gateway.db`), or an absolute path (`workOrders.database`). */
  readonly file: string;
  readonly migrations: readonly Migration[];
}

export class SchemaVersionError extends Error {
  readonly file: string;
  readonly found: number;
  readonly known: number;

  constructor(file: string, found: number, known: number) {
    super(
      `${file} has schema version ${found}, newer than this gateway knows (${known}): it was written by a newer release of the gateway. ` +
        'Run that release again, or restore a backup made by this one (gateway restore); the file was not changed.',
    );
    this.name = 'SchemaVersionError';
    this.file = file;
    this.found = found;
    this.known = known;
  }
}

export interface MigrationOutcome {
  readonly file: string;
  readonly from: number;
  readonly to: number;
  /** The copy taken before migrating (absent when nothing ran). */
  readonly backup?: string;
  readonly applied: readonly string[];
  /** The file did not exist before start: stampNewFiles gives it the latest version once made. */
  readonly missing?: boolean;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function latestVersion(plan: SchemaPlan): number {
  plan.migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${plan.file}: migration ${i + 1} is numbered ${m.version}; versions must be 1, 2, 3, ... in order`);
  });
  return plan.migrations.length;
}

export function userVersion(db: DatabaseSync): number {
  return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
}

/** True when the file has no table yet (new, or made by opening only). */
function isEmpty(db: DatabaseSync): boolean {
  return (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n === 0;
}

/** Bring `dataDir/plan.file` to the latest version (see the module comment). */
export async function migrateFile(dataDir: string, plan: SchemaPlan, log: Logger, now: () => number = Date.now): Promise<MigrationOutcome> {
  const file = isAbsolute(plan.file) ? plan.file : join(dataDir, plan.file);
  const latest = latestVersion(plan);
  // a file that does not exist yet is made by its part (only when used: spool.db needs storage.influx) and stamped then (stampNewFiles)
  // (not a regular file, e.g. a directory: the part that opens it says what is wrong)
  if (!isFile(file)) return { file, from: 0, to: 0, applied: [], missing: true };
  const db = openSqlite(file);
  try {
    const from = userVersion(db);
    if (from > latest) throw new SchemaVersionError(file, from, latest);
    if (from === latest) return { file, from, to: from, applied: [] };
    if (from === 0 && isEmpty(db)) {
      db.exec(`PRAGMA user_version = ${latest}`);
      return { file, from, to: latest, applied: [] };
    }
    const dir = join(dataDir, 'migration-backups');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
    let copy = join(dir, `${basename(plan.file, '.db')}.v${from}.${stamp}.db`);
    for (let i = 2; existsSync(copy); i++) copy = join(dir, `${basename(plan.file, '.db')}.v${from}.${stamp}-${i}.db`);
    await backup(db, copy);
    // one self-contained file (rollback journal, not WAL), to keep or copy as it is
    const c = new DatabaseSync(copy);
    c.exec('PRAGMA journal_mode = DELETE');
    c.close();
    const pending = plan.migrations.filter((m) => m.version > from);
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const m of pending) {
        try {
          m.up(db);
        } catch (err) {
          throw new Error(`${file}: migration ${m.version} (${m.description}) failed: ${(err as Error).message}; the file stays at version ${from} (copy: ${copy})`, { cause: err });
        }
      }
      db.exec(`PRAGMA user_version = ${latest}`);
      db.exec('COMMIT');
    } catch (err) {
      rollbackQuietly(db);
      throw err;
    }
    const applied = pending.map((m) => `${m.version}: ${m.description}`);
    log.warn({ file, from, to: latest, backup: copy, applied }, `migrated ${plan.file} from schema version ${from} to ${latest} (copy before: ${copy})`);
    return { file, from, to: latest, backup: copy, applied };
  } finally {
    db.close();
  }
}

/** Migrate every plan's file of the data directory, in order; the first refusal or failure stops. */
export async function migrateDataDir(dataDir: string, plans: readonly SchemaPlan[], log: Logger, now?: () => number): Promise<MigrationOutcome[]> {
  const out: MigrationOutcome[] = [];
  for (const plan of plans) out.push(await migrateFile(dataDir, plan, log, now));
  return out;
}

/**
 * After start: files that did not exist before it and were made by their parts (with the current
 * schema) get the latest version, so the next start does not take them for an old release's.
 */
export function stampNewFiles(outcomes: readonly MigrationOutcome[], plans: readonly SchemaPlan[]): void {
  for (const o of outcomes) {
    if (!o.missing || !isFile(o.file)) continue;
    const plan = plans.find((p) => (isAbsolute(p.file) ? o.file === p.file : o.file.endsWith(`/${p.file}`)));
    if (!plan) continue;
    const db = openSqlite(o.file);
    try {
      if (userVersion(db) === 0) db.exec(`PRAGMA user_version = ${latestVersion(plan)}`);
    } finally {
      db.close();
    }
  }
}
