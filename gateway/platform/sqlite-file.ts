import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * The durability policy of every SQLite file of the gateway (telemetry, spool, alarms, work orders,
 * uptime ledger, sessions), in the shared model so that rules/ uses the same one.
 *
 * Open (creating if needed) a SQLite file in WAL mode with synchronous=FULL: a transaction that
 * returned has reached the disk, so `kill -9` loses nothing acknowledged.
 */
export function openSqlite(file: string): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  return db;
}

/** Run `fn` inside BEGIN IMMEDIATE … COMMIT, rolling back on any error. */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    rollbackQuietly(db);
    throw err;
  }
}

/**
 * Roll back if a transaction is still open. SQLite rolls back by itself on some errors (a full
 * disk): a second ROLLBACK would fail with "cannot rollback - no transaction is active" and hide
 * the real error, so the caller always rethrows its original error.
 */
export function rollbackQuietly(db: DatabaseSync): void {
  if (!db.isTransaction) return;
  try {
    db.exec('ROLLBACK');
  } catch {
    // the original error is what matters; the connection is left without a transaction either way
  }
}
