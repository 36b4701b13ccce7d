/**
 * Opens the gateway's derived-state database (data/gateway.db) for the uptime ledger: WAL, and
 * synchronous=FULL so a committed state change survives `kill -9` and power loss. rules/ keeps
 * its own helper rather than reaching into gateway/storage.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export function openUptimeDb(file: string): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

/** BEGIN IMMEDIATE … COMMIT, rolled back on any error. */
export function inUptimeTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
