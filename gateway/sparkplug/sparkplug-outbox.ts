/**
 * The edge node's durable outbox (data/sparkplug.db): every northbound message is a row before it
 * is published and is deleted only after the broker's PUBACK, so a broker outage or a `kill -9`
 * loses nothing; a row published twice (PUBACK lost) carries the same id both times.
 *
 * Two lanes: `urgent` (alarm transitions, work-order events, acknowledgements) is always taken
 * before `telemetry`, so a fire alarm never waits behind a backlog of readings.
 */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction, openSqlite } from '../platform/sqlite-file.ts';
import type { SpMetric } from './sparkplug-metrics.ts';

export type OutboxLane = 'urgent' | 'telemetry';
const LANE_ORDER: Record<OutboxLane, number> = { urgent: 0, telemetry: 1 };

export interface OutboxMessage {
  /** Stable id: the same message replayed carries the same id (central deduplicates on it). */
  readonly id: string;
  readonly lane: OutboxLane;
  /** undefined: an NDATA of the node; else a DDATA of this device. */
  readonly device?: string;
  readonly metrics: readonly SpMetric[];
  readonly createdAt: number;
}

export interface QueuedMessage extends OutboxMessage {
  /** Position in the outbox (insertion order). */
  readonly n: number;
}

export class SparkplugOutbox {
  readonly file: string;
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.file = file;
    this.db = openSqlite(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sp_outbox (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        lane INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE,
        device TEXT,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS sp_outbox_lane ON sp_outbox(lane, n);
      CREATE TABLE IF NOT EXISTS sp_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  /** Queue messages in one transaction; a message whose id is already queued is ignored. */
  enqueue(messages: readonly OutboxMessage[]): void {
    if (messages.length === 0) return;
    const insert = this.db.prepare('INSERT OR IGNORE INTO sp_outbox (lane, id, device, body, created_at) VALUES (?, ?, ?, ?, ?)');
    inTransaction(this.db, () => {
      for (const m of messages) insert.run(LANE_ORDER[m.lane], m.id, m.device ?? null, JSON.stringify(m.metrics), m.createdAt);
    });
  }

  /** The next `limit` messages, urgent lane first, each lane in insertion order. */
  next(limit: number, skip: ReadonlySet<number> = new Set()): QueuedMessage[] {
    const rows = this.db
      .prepare('SELECT n, lane, id, device, body, created_at FROM sp_outbox ORDER BY lane, n LIMIT ?')
      .all(limit + skip.size) as Array<{ n: number; lane: number; id: string; device: string | null; body: string; created_at: number }>;
    const out: QueuedMessage[] = [];
    for (const r of rows) {
      if (skip.has(r.n)) continue;
      out.push({
        n: r.n,
        id: r.id,
        lane: r.lane === 0 ? 'urgent' : 'telemetry',
        ...(r.device === null ? {} : { device: r.device }),
        metrics: JSON.parse(r.body) as SpMetric[],
        createdAt: r.created_at,
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Forget a message the broker acknowledged. */
  delivered(n: number): void {
    this.db.prepare('DELETE FROM sp_outbox WHERE n = ?').run(n);
  }

  depth(): { urgent: number; telemetry: number } {
    const rows = this.db.prepare('SELECT lane, count(*) AS c FROM sp_outbox GROUP BY lane').all() as Array<{ lane: number; c: number }>;
    return { urgent: Number(rows.find((r) => r.lane === 0)?.c ?? 0), telemetry: Number(rows.find((r) => r.lane === 1)?.c ?? 0) };
  }

  getState(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM sp_state WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setState(key: string, value: string): void {
    this.db.prepare('INSERT INTO sp_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Queue `messages` and move a state cursor in the same transaction (journal export). */
  enqueueWithState(messages: readonly OutboxMessage[], key: string, value: string): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO sp_outbox (lane, id, device, body, created_at) VALUES (?, ?, ?, ?, ?)');
    const state = this.db.prepare('INSERT INTO sp_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    inTransaction(this.db, () => {
      for (const m of messages) insert.run(LANE_ORDER[m.lane], m.id, m.device ?? null, JSON.stringify(m.metrics), m.createdAt);
      state.run(key, value);
    });
  }

  close(): void {
    this.db.close();
  }
}
