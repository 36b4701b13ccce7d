/**
 * The work-order database (data/gateway.db by default): its own small open helper, so rules/ does
 * not depend on gateway/storage. WAL + synchronous=FULL: a committed transition survives `kill -9`.
 */
import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from '../../gateway/platform/sqlite-file.ts';
import { ATTACHMENT_SCHEMA } from './work-order-attachments.ts';

/** The one transaction and after-commit helper of gateway.db lives in gateway/platform/sqlite-file.ts. */
export { afterCommit, transaction } from '../../gateway/platform/sqlite-file.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS work_orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  device TEXT,
  kind TEXT,
  site TEXT,
  building TEXT,
  floor TEXT,
  fault TEXT,
  trade TEXT NOT NULL,
  priority INTEGER NOT NULL,
  title TEXT NOT NULL,
  contractor TEXT,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  respond_by INTEGER NOT NULL,
  fix_by INTEGER NOT NULL,
  dispatched_at INTEGER,
  acknowledged_at INTEGER,
  started_at INTEGER,
  resolved_at INTEGER,
  closed_at INTEGER,
  cancelled_at INTEGER,
  respond_breached_at INTEGER,
  fix_breached_at INTEGER,
  occurrences INTEGER NOT NULL DEFAULT 1,
  last_occurrence_at INTEGER NOT NULL,
  alarm_ids TEXT NOT NULL DEFAULT '[]',
  alarm_active INTEGER NOT NULL DEFAULT 0,
  alarm_cleared_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS work_orders_one_open_per_fault
  ON work_orders(device, fault) WHERE fault IS NOT NULL AND status NOT IN ('closed', 'cancelled');
CREATE INDEX IF NOT EXISTS work_orders_status ON work_orders(status);
CREATE INDEX IF NOT EXISTS work_orders_fault ON work_orders(device, fault);
CREATE INDEX IF NOT EXISTS work_orders_contractor ON work_orders(contractor, status);
CREATE INDEX IF NOT EXISTS work_orders_created ON work_orders(created_at);
CREATE INDEX IF NOT EXISTS work_orders_respond_by ON work_orders(respond_by) WHERE acknowledged_at IS NULL AND respond_breached_at IS NULL;
CREATE INDEX IF NOT EXISTS work_orders_fix_by ON work_orders(fix_by) WHERE resolved_at IS NULL AND fix_breached_at IS NULL;

CREATE TABLE IF NOT EXISTS work_order_journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id INTEGER NOT NULL REFERENCES work_orders(id),
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT,
  note TEXT,
  data TEXT
);
CREATE INDEX IF NOT EXISTS work_order_journal_order ON work_order_journal(order_id, seq);

CREATE TABLE IF NOT EXISTS dispatch_outbox (
  id TEXT PRIMARY KEY,
  order_id INTEGER,
  recipient_type TEXT NOT NULL,
  recipient TEXT NOT NULL,
  channel TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS dispatch_outbox_due ON dispatch_outbox(status, next_attempt_at);

CREATE TABLE IF NOT EXISTS dispatch_deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id TEXT NOT NULL REFERENCES dispatch_outbox(id),
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER
);
CREATE INDEX IF NOT EXISTS dispatch_deliveries_outbox ON dispatch_deliveries(outbox_id, seq);

CREATE TABLE IF NOT EXISTS dispatch_dead_letters (
  outbox_id TEXT PRIMARY KEY REFERENCES dispatch_outbox(id),
  at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  retried_at INTEGER,
  retried_by TEXT
);

CREATE TABLE IF NOT EXISTS maintenance_schedules (
  id TEXT PRIMARY KEY,
  expression TEXT NOT NULL,
  next_at INTEGER,
  last_run_at INTEGER
);

CREATE TABLE IF NOT EXISTS work_order_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export function openWorkOrderDb(file: string): DatabaseSync {
  const db = openSqlite(file);
  // the file's schema version (PRAGMA user_version) belongs to the gateway's migrations
  // (gateway/migrations/schema-plans.ts: gateway.db), which run before this opens
  db.exec(SCHEMA);
  db.exec(ATTACHMENT_SCHEMA);
  return db;
}
