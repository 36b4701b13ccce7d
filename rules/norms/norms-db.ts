/**
 * The tables of the norms module in data/gateway.db: resident requests, inspection rounds and their
 * results, and the module's secrets (the QR-link key). WAL + synchronous=FULL (openSqlite).
 */
import type { DatabaseSync } from 'node:sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS norms_secret (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resident_request (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  public_id TEXT NOT NULL UNIQUE,
  building TEXT NOT NULL,
  category TEXT NOT NULL,
  place TEXT NOT NULL,
  description TEXT NOT NULL,
  photo_type TEXT,
  photo BLOB,
  contact_name TEXT,
  contact_phone TEXT,
  contact_erased_at INTEGER,
  created_at INTEGER NOT NULL,
  order_id INTEGER NOT NULL,
  respond_by INTEGER NOT NULL,
  close_by INTEGER NOT NULL,
  rating INTEGER,
  rating_comment TEXT,
  rated_at INTEGER
);
CREATE INDEX IF NOT EXISTS resident_request_building ON resident_request (building, created_at);
CREATE INDEX IF NOT EXISTS resident_request_created ON resident_request (created_at);
CREATE TABLE IF NOT EXISTS inspection_round (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  route TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  status TEXT NOT NULL,
  started_at INTEGER,
  done_at INTEGER,
  done_by TEXT,
  attendance INTEGER,
  UNIQUE (route, due_at)
);
CREATE INDEX IF NOT EXISTS inspection_round_due ON inspection_round (due_at);
CREATE TABLE IF NOT EXISTS inspection_result (
  round_id INTEGER NOT NULL REFERENCES inspection_round (id),
  device TEXT NOT NULL,
  item TEXT NOT NULL,
  result TEXT NOT NULL,
  reading REAL,
  note TEXT,
  photo_type TEXT,
  photo BLOB,
  at INTEGER NOT NULL,
  by TEXT NOT NULL,
  order_id INTEGER,
  PRIMARY KEY (round_id, device, item)
);
CREATE TABLE IF NOT EXISTS inspection_cursor (route TEXT PRIMARY KEY, scheduled_until INTEGER NOT NULL);
`;

export function createNormsTables(db: DatabaseSync): void {
  db.exec(SCHEMA);
}
