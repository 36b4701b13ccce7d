/** SQL for work orders and their journal. Callers wrap related writes in one `transaction`. */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { Priority } from './alarm-input.ts';
import { afterCommit } from './work-order-db.ts';
import type { JournalEntry, WorkOrder, WorkOrderSource, WorkOrderStatus } from './work-order.ts';

interface OrderRow {
  id: number;
  source: string;
  device: string | null;
  kind: string | null;
  site: string | null;
  building: string | null;
  floor: string | null;
  fault: string | null;
  trade: string;
  priority: number;
  title: string;
  contractor: string | null;
  status: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  respond_by: number;
  fix_by: number;
  dispatched_at: number | null;
  acknowledged_at: number | null;
  started_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  cancelled_at: number | null;
  respond_breached_at: number | null;
  fix_breached_at: number | null;
  occurrences: number;
  last_occurrence_at: number;
  alarm_ids: string;
  alarm_active: number;
  alarm_cleared_at: number | null;
}

function toOrder(r: OrderRow): WorkOrder {
  return {
    id: r.id,
    source: r.source as WorkOrderSource,
    device: r.device,
    kind: r.kind as DeviceKind | null,
    location: r.site !== null && r.building !== null && r.floor !== null ? { site: r.site, building: r.building, floor: r.floor } : null,
    fault: r.fault,
    trade: r.trade,
    priority: r.priority as Priority,
    title: r.title,
    contractor: r.contractor,
    status: r.status as WorkOrderStatus,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    respondBy: r.respond_by,
    fixBy: r.fix_by,
    dispatchedAt: r.dispatched_at,
    acknowledgedAt: r.acknowledged_at,
    startedAt: r.started_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    cancelledAt: r.cancelled_at,
    respondBreachedAt: r.respond_breached_at,
    fixBreachedAt: r.fix_breached_at,
    occurrences: r.occurrences,
    lastOccurrenceAt: r.last_occurrence_at,
    alarmIds: JSON.parse(r.alarm_ids) as string[],
    alarmActive: r.alarm_active === 1,
    alarmClearedAt: r.alarm_cleared_at,
  };
}

export interface NewOrder {
  readonly source: WorkOrderSource;
  readonly device: string | null;
  readonly kind: DeviceKind | null;
  readonly location: { site: string; building: string; floor: string } | null;
  readonly fault: string | null;
  readonly trade: string;
  readonly priority: Priority;
  readonly title: string;
  readonly contractor: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly respondBy: number;
  readonly fixBy: number;
  readonly alarmIds: readonly string[];
  readonly alarmActive: boolean;
}

/** Column updates allowed through `update` (names as in SQL). */
export type OrderPatch = Partial<
  Pick<
    OrderRow,
    | 'contractor'
    | 'updated_at'
    | 'respond_by'
    | 'fix_by'
    | 'dispatched_at'
    | 'acknowledged_at'
    | 'started_at'
    | 'resolved_at'
    | 'closed_at'
    | 'cancelled_at'
    | 'respond_breached_at'
    | 'fix_breached_at'
    | 'occurrences'
    | 'last_occurrence_at'
    | 'alarm_ids'
    | 'alarm_active'
    | 'alarm_cleared_at'
    | 'priority'
  > & { status: WorkOrderStatus }
>;

export interface OrderFilter {
  readonly status?: readonly WorkOrderStatus[];
  readonly contractor?: string;
  readonly trade?: string;
  readonly device?: string;
  readonly priority?: Priority;
  readonly building?: string;
  readonly source?: WorkOrderSource;
  readonly createdFrom?: number;
  /** Inclusive. */
  readonly createdTo?: number;
  readonly limit?: number;
}

/** Not acknowledged, not judged: the respond deadline is still open. */
const RESPOND_PENDING = `(status IN ('open', 'dispatched') AND acknowledged_at IS NULL AND respond_breached_at IS NULL)`;
/** Not resolved, not judged: the fix deadline is still open. */
const FIX_PENDING = `(status IN ('open', 'dispatched', 'acknowledged', 'in_progress') AND resolved_at IS NULL AND fix_breached_at IS NULL)`;

export class WorkOrderStore {
  private readonly db: DatabaseSync;
  private readonly listeners = new Set<(orderId: number) => void>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Be told of every order whose journal grew, once its transaction has committed. */
  onChange(listener: (orderId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  insert(o: NewOrder): number {
    const r = this.db
      .prepare(
        `INSERT INTO work_orders (source, device, kind, site, building, floor, fault, trade, priority, title, contractor, status,
           created_at, created_by, updated_at, respond_by, fix_by, occurrences, last_occurrence_at, alarm_ids, alarm_active)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
      )
      .run(
        o.source,
        o.device,
        o.kind,
        o.location?.site ?? null,
        o.location?.building ?? null,
        o.location?.floor ?? null,
        o.fault,
        o.trade,
        o.priority,
        o.title,
        o.contractor,
        o.createdAt,
        o.createdBy,
        o.createdAt,
        o.respondBy,
        o.fixBy,
        o.createdAt,
        JSON.stringify(o.alarmIds),
        o.alarmActive ? 1 : 0,
      );
    return Number(r.lastInsertRowid);
  }

  update(id: number, patch: OrderPatch): void {
    const keys = Object.keys(patch) as Array<keyof OrderPatch>;
    if (keys.length === 0) return;
    const values = keys.map((k) => (patch[k] ?? null) as SQLInputValue);
    this.db.prepare(`UPDATE work_orders SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...values, id);
  }

  get(id: number): WorkOrder | undefined {
    const r = this.db.prepare('SELECT * FROM work_orders WHERE id = ?').get(id) as OrderRow | undefined;
    return r ? toOrder(r) : undefined;
  }

  /** The open order for (device, fault), if any. */
  openFor(device: string, fault: string): WorkOrder | undefined {
    const r = this.db
      .prepare(`SELECT * FROM work_orders WHERE device = ? AND fault = ? AND status NOT IN ('closed', 'cancelled')`)
      .get(device, fault) as OrderRow | undefined;
    return r ? toOrder(r) : undefined;
  }

  /** The open order carrying any of these alarm ids (the incident's order), oldest first. */
  openWithAnyAlarm(alarmIds: readonly string[]): WorkOrder | undefined {
    if (alarmIds.length === 0) return undefined;
    const r = this.db
      .prepare(
        `SELECT * FROM work_orders WHERE status NOT IN ('closed', 'cancelled')
           AND EXISTS (SELECT 1 FROM json_each(alarm_ids) WHERE value IN (${alarmIds.map(() => '?').join(',')})) ORDER BY id LIMIT 1`,
      )
      .get(...alarmIds) as OrderRow | undefined;
    return r ? toOrder(r) : undefined;
  }

  /** The newest order of (device, fault) that carries `alarmId`, in any status. */
  withAlarm(device: string, fault: string, alarmId: string): number | undefined {
    const r = this.db
      .prepare('SELECT id FROM work_orders WHERE device = ? AND fault = ? AND EXISTS (SELECT 1 FROM json_each(alarm_ids) WHERE value = ?) ORDER BY id DESC LIMIT 1')
      .get(device, fault, alarmId) as { id: number } | undefined;
    return r?.id;
  }

  list(f: OrderFilter): WorkOrder[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (f.status && f.status.length > 0) {
      where.push(`status IN (${f.status.map(() => '?').join(', ')})`);
      args.push(...f.status);
    }
    const eq: Array<[string, SQLInputValue | undefined]> = [
      ['contractor', f.contractor],
      ['trade', f.trade],
      ['device', f.device],
      ['priority', f.priority],
      ['building', f.building],
      ['source', f.source],
    ];
    for (const [col, v] of eq) {
      if (v === undefined) continue;
      where.push(`${col} = ?`);
      args.push(v);
    }
    if (f.createdFrom !== undefined) {
      where.push('created_at >= ?');
      args.push(f.createdFrom);
    }
    if (f.createdTo !== undefined) {
      where.push('created_at <= ?');
      args.push(f.createdTo);
    }
    const sql = `SELECT * FROM work_orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit ?? 1000) as unknown as OrderRow[]).map(toOrder);
  }

  /** Orders with a respond or fix deadline at or before `now` that is not yet judged. */
  dueDeadlines(now: number): WorkOrder[] {
    return (
      this.db
        .prepare(`SELECT * FROM work_orders WHERE (${RESPOND_PENDING} AND respond_by <= ?) OR (${FIX_PENDING} AND fix_by <= ?) ORDER BY id`)
        .all(now, now) as unknown as OrderRow[]
    ).map(toOrder);
  }

  /** The earliest deadline still to be judged, if any. */
  nextDeadline(): number | undefined {
    const r = this.db
      .prepare(`SELECT MIN(t) AS t FROM (SELECT MIN(respond_by) AS t FROM work_orders WHERE ${RESPOND_PENDING} UNION ALL SELECT MIN(fix_by) FROM work_orders WHERE ${FIX_PENDING})`)
      .get() as { t: number | null };
    return r.t ?? undefined;
  }

  journal(orderId: number, at: number, actor: string, action: string, from: WorkOrderStatus | null, to: WorkOrderStatus | null, note: string | null, data?: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO work_order_journal (order_id, at, actor, action, from_status, to_status, note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(orderId, at, actor, action, from, to, note, data ? JSON.stringify(data) : null);
    if (this.listeners.size > 0) afterCommit(this.db, () => this.listeners.forEach((l) => l(orderId)));
  }

  journalOf(orderId: number): JournalEntry[] {
    const rows = this.db.prepare('SELECT * FROM work_order_journal WHERE order_id = ? ORDER BY seq').all(orderId) as Array<{
      seq: number;
      order_id: number;
      at: number;
      actor: string;
      action: string;
      from_status: string | null;
      to_status: string | null;
      note: string | null;
      data: string | null;
    }>;
    return rows.map((r) => ({
      seq: r.seq,
      orderId: r.order_id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      from: r.from_status as WorkOrderStatus | null,
      to: r.to_status as WorkOrderStatus | null,
      note: r.note,
      data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
    }));
  }

  bump(name: string, by = 1): void {
    this.db.prepare('INSERT INTO work_order_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value').run(name, by);
  }

  /** How many orders are in one of `statuses`, counted by SQLite (no rows are read). */
  countByStatus(statuses: readonly WorkOrderStatus[]): number {
    if (statuses.length === 0) return 0;
    const r = this.db.prepare(`SELECT COUNT(*) AS n FROM work_orders WHERE status IN (${statuses.map(() => '?').join(', ')})`).get(...statuses) as { n: number };
    return r.n;
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db.prepare('SELECT name, value FROM work_order_counters').all() as Array<{ name: string; value: number }>) out[r.name] = r.value;
    return out;
  }
}
