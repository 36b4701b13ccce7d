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

const pendingAfterCommit = new WeakMap<DatabaseSync, Array<() => void>>();

/**
 * Run `fn` once what is being written is durable: after the COMMIT of the current transaction (not
 * at all if it rolls back), or at once outside a transaction. Announcements go through here, so
 * nothing is announced that a crash could take back.
 */
export function afterCommit(db: DatabaseSync, fn: () => void): void {
  if (!db.isTransaction) {
    fn();
    return;
  }
  const list = pendingAfterCommit.get(db) ?? [];
  list.push(fn);
  pendingAfterCommit.set(db, list);
}

/** Run `fn` inside BEGIN IMMEDIATE … COMMIT (nested calls join the outer transaction). */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec('BEGIN IMMEDIATE');
  let result: T;
  try {
    result = fn();
    db.exec('COMMIT');
  } catch (err) {
    pendingAfterCommit.delete(db);
    rollbackQuietly(db); // never let "cannot rollback" hide the real error (a full disk)
    throw err;
  }
  const after = pendingAfterCommit.get(db) ?? [];
  pendingAfterCommit.delete(db);
  for (const f of after) f();
  return result;
}

/** Run `fn` inside BEGIN IMMEDIATE … COMMIT, rolling back on any error (the same helper as `transaction`). */
export const inTransaction = transaction;
