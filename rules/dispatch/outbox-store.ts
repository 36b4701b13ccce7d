/**
 * The durable dispatch outbox: a message is a row before anyone is told; each attempt is recorded
 * before it is made (attempts + lease), so a crash at any point re-sends with the same id.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { ChannelType } from './channel.ts';

/** `contractor` and `contact`: work orders; `oncall`: alarm escalation (rules/alarms/escalation-service.ts). */
export type RecipientType = 'contractor' | 'contact' | 'oncall';
export type OutboxStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

export interface OutboxRow<C extends string = ChannelType> {
  readonly id: string;
  readonly orderId: number | null;
  readonly recipientType: RecipientType;
  readonly recipient: string;
  readonly channel: C;
  readonly event: string;
  readonly body: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

export interface DeadLetter<C extends string = ChannelType> extends OutboxRow<C> {
  readonly deadAt: number;
  readonly reason: string;
  readonly retriedAt: number | null;
  readonly retriedBy: string | null;
}

export interface DeliveryAttempt {
  readonly attempt: number;
  readonly at: number;
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number | null;
}

export interface QueueRequest<C extends string = ChannelType> {
  readonly orderId: number | null;
  readonly recipientType: RecipientType;
  readonly recipient: string;
  readonly channels: readonly C[];
  readonly event: string;
  readonly payload: Record<string, unknown>;
  /**
   * Idempotency key: the row ids become `<key>:<channel>` and queueing the same key again does
   * nothing (a step re-queued after a crash is not sent twice). Without it, random ids.
   */
  readonly key?: string;
}

interface Row {
  id: string;
  order_id: number | null;
  recipient_type: string;
  recipient: string;
  channel: string;
  event: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

function toRow<C extends string>(r: Row): OutboxRow<C> {
  return {
    id: r.id,
    orderId: r.order_id,
    recipientType: r.recipient_type as RecipientType,
    recipient: r.recipient,
    channel: r.channel as C,
    event: r.event,
    body: r.body,
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    lastError: r.last_error,
  };
}

export class OutboxStore<C extends string = ChannelType> {
  private readonly db: DatabaseSync;
  /** SQL condition limiting due rows to the recipient types this store's worker sends. */
  private readonly scopeSql: string;

  /** `scope`: the recipient types this store's worker sends (rows of others in the same table are left to their worker). */
  constructor(db: DatabaseSync, scope?: readonly RecipientType[]) {
    this.db = db;
    this.scopeSql = scope ? ` AND recipient_type IN (${scope.map((t) => `'${t}'`).join(', ')})` : '';
  }

  /** Queue one message per channel (call inside the transaction of the change it announces). */
  enqueue(req: QueueRequest<C>, now: number): string[] {
    const ids: string[] = [];
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO dispatch_outbox (id, order_id, recipient_type, recipient, channel, event, body, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    );
    for (const channel of req.channels) {
      const id = req.key !== undefined ? `${req.key}:${channel}` : randomUUID();
      const body = JSON.stringify({ id, event: req.event, recipient: { type: req.recipientType, id: req.recipient }, queuedAt: now, ...req.payload });
      insert.run(id, req.orderId, req.recipientType, req.recipient, channel, req.event, body, now, now);
      ids.push(id);
    }
    return ids;
  }

  get(id: string): OutboxRow<C> | undefined {
    const r = this.db.prepare('SELECT * FROM dispatch_outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? toRow(r) : undefined;
  }

  list(filter: { orderId?: number; status?: OutboxStatus } = {}): OutboxRow<C>[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.orderId !== undefined) {
      where.push('order_id = ?');
      args.push(filter.orderId);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    const sql = `SELECT * FROM dispatch_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, rowid`;
    return (this.db.prepare(sql).all(...args) as unknown as Row[]).map((r) => toRow<C>(r));
  }

  due(now: number, limit: number): OutboxRow<C>[] {
    return (
      this.db
        .prepare(`SELECT * FROM dispatch_outbox WHERE status = 'pending' AND next_attempt_at <= ?${this.scopeSql} ORDER BY next_attempt_at, rowid LIMIT ?`)
        .all(now, limit) as unknown as Row[]
    ).map((r) => toRow<C>(r));
  }

  /** The earliest retry time among pending rows, leaving out `busy` ones (in flight). */
  nextDueAt(busy: ReadonlySet<string> = new Set()): number | undefined {
    const rows = this.db
      .prepare(`SELECT id, next_attempt_at AS t FROM dispatch_outbox WHERE status = 'pending'${this.scopeSql} ORDER BY next_attempt_at LIMIT ?`)
      .all(busy.size + 1) as Array<{ id: string; t: number }>;
    return rows.find((r) => !busy.has(r.id))?.t;
  }

  /** Record that attempt `attempts` starts now; if the process dies, the row is due again at `leaseUntil`. */
  beginAttempt(id: string, attempts: number, leaseUntil: number): void {
    this.db.prepare('UPDATE dispatch_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?').run(attempts, leaseUntil, id);
  }

  recordAttempt(id: string, a: DeliveryAttempt): void {
    this.db
      .prepare('INSERT INTO dispatch_deliveries (outbox_id, attempt, at, ok, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, a.attempt, a.at, a.ok ? 1 : 0, a.statusCode, a.error, a.durationMs);
  }

  markDelivered(id: string, at: number): void {
    this.db.prepare(`UPDATE dispatch_outbox SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ?`).run(at, id);
  }

  markFailed(id: string, error: string, nextAttemptAt: number): void {
    this.db.prepare('UPDATE dispatch_outbox SET last_error = ?, next_attempt_at = ? WHERE id = ?').run(error, nextAttemptAt, id);
  }

  markDead(id: string, at: number, reason: string): void {
    this.db.prepare(`UPDATE dispatch_outbox SET status = 'dead', last_error = ? WHERE id = ?`).run(reason, id);
    this.db.prepare('INSERT OR REPLACE INTO dispatch_dead_letters (outbox_id, at, reason) VALUES (?, ?, ?)').run(id, at, reason);
  }

  /** Put a dead letter back in the queue (attempt count starts over). */
  retryDead(id: string, at: number, by: string): boolean {
    const r = this.db.prepare(`UPDATE dispatch_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status = 'dead'`).run(at, id);
    if (Number(r.changes) === 0) return false;
    this.db.prepare('UPDATE dispatch_dead_letters SET retried_at = ?, retried_by = ? WHERE outbox_id = ?').run(at, by, id);
    return true;
  }

  /** Stop pending messages of an order to one recipient (e.g. after a reassignment). */
  cancelPending(orderId: number, recipientType: RecipientType, recipient: string): number {
    const r = this.db
      .prepare(`UPDATE dispatch_outbox SET status = 'cancelled' WHERE order_id = ? AND recipient_type = ? AND recipient = ? AND status = 'pending'`)
      .run(orderId, recipientType, recipient);
    return Number(r.changes);
  }

  deadLetters(includeRetried = false): DeadLetter<C>[] {
    const rows = this.db
      .prepare(
        `SELECT o.*, d.at AS dead_at, d.reason, d.retried_at, d.retried_by FROM dispatch_dead_letters d JOIN dispatch_outbox o ON o.id = d.outbox_id
         ${includeRetried ? '' : `WHERE o.status = 'dead'`} ORDER BY d.at DESC`,
      )
      .all() as unknown as Array<Row & { dead_at: number; reason: string; retried_at: number | null; retried_by: string | null }>;
    return rows.map((r) => ({ ...toRow<C>(r), deadAt: r.dead_at, reason: r.reason, retriedAt: r.retried_at, retriedBy: r.retried_by }));
  }

  attempts(id: string): DeliveryAttempt[] {
    const rows = this.db.prepare('SELECT * FROM dispatch_deliveries WHERE outbox_id = ? ORDER BY seq').all(id) as Array<{
      attempt: number;
      at: number;
      ok: number;
      status_code: number | null;
      error: string | null;
      duration_ms: number | null;
    }>;
    return rows.map((r) => ({ attempt: r.attempt, at: r.at, ok: r.ok === 1, statusCode: r.status_code, error: r.error, durationMs: r.duration_ms }));
  }

  counts(): Record<OutboxStatus, number> {
    const out: Record<OutboxStatus, number> = { pending: 0, delivered: 0, dead: 0, cancelled: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM dispatch_outbox GROUP BY status').all() as Array<{ status: OutboxStatus; n: number }>) out[r.status] = r.n;
    return out;
  }
}
