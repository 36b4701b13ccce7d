/**
 * Fleet state in PostgreSQL (client: `pg`). Every write is an idempotent upsert keyed by
 * (site, id, sequence): a message delivered twice, or to two centre instances, changes nothing the
 * second time, and an older message never overwrites a newer one.
 *
 * - sites: comms state from NBIRTH / NDEATH (an NDEATH counts only with the bdSeq of the live
 *   session); each change is a row of `fleet_site_events`.
 * - alarms: one row per (site, alarm id), moved by the site journal's rows (`seq`); the journal
 *   itself keyed by (site, seq). NBIRTH's open-alarm snapshot only adds alarms not yet known.
 * - work orders: one row per (site, order id), moved by newer `updatedAt` only.
 * - central acknowledgements: journaled here before they are sent to the site (NCMD).
 */
import pg from 'pg';
import { inPgTransaction, withClient } from './pg-checkout.ts';

export interface AlarmTransition {
  readonly id: string;
  readonly seq: number;
  readonly alarmId: string;
  readonly type: string;
  readonly fromState: string | null;
  readonly toState: string;
  readonly at: number;
  readonly by: string | null;
  readonly text: string | null;
  readonly rule: string;
  readonly title: string;
  readonly device: string;
  readonly building: string;
  readonly floor: string;
  readonly priority: number;
  readonly lifeSafety: boolean;
}

export interface OpenAlarmSnapshot {
  readonly id: string;
  readonly title: string;
  readonly device: string;
  readonly building: string;
  readonly floor: string;
  readonly priority: number;
  readonly lifeSafety: boolean;
  readonly state: string;
  readonly raisedAt: number;
  readonly ackedBy: string | null;
}

export interface WorkOrderEvent {
  readonly orderId: number;
  readonly status: string;
  readonly priority: number;
  readonly title: string;
  readonly device: string | null;
  readonly updatedAt: number;
  readonly fixBy: number;
}

export interface SiteSummary {
  readonly site: string;
  readonly group: string;
  readonly online: boolean;
  readonly since: number | null;
  readonly p1Active: number;
  readonly unacked: number;
  readonly openOrders: number;
  readonly overdueOrders: number;
  /** The site's month-to-date equipment availability, %, as its uptime ledger reported it (null: not reported). */
  readonly availabilityPct: number | null;
}

export interface FleetAlarm {
  readonly site: string;
  readonly alarmId: string;
  /** The site's rule id, from the alarm's newest journal row (null for an alarm known only from a birth snapshot). */
  readonly rule: string | null;
  readonly title: string;
  readonly device: string;
  readonly building: string;
  readonly floor: string;
  readonly priority: number;
  readonly state: string;
  readonly raisedAt: number | null;
  readonly ackedBy: string | null;
  readonly seq: number;
}

const OPEN_ORDER = "status NOT IN ('closed', 'cancelled')";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fleet_sites (
  site text PRIMARY KEY, grp text NOT NULL, online boolean NOT NULL, bd_seq integer,
  changed_at timestamptz NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
ALTER TABLE fleet_sites ADD COLUMN IF NOT EXISTS availability_pct double precision;
ALTER TABLE fleet_sites ADD COLUMN IF NOT EXISTS availability_at timestamptz;
ALTER TABLE fleet_sites ADD COLUMN IF NOT EXISTS born_ts bigint;
ALTER TABLE fleet_sites ADD COLUMN IF NOT EXISTS journal_seq bigint;
CREATE TABLE IF NOT EXISTS fleet_site_events (
  site text NOT NULL, at timestamptz NOT NULL, online boolean NOT NULL, bd_seq integer,
  PRIMARY KEY (site, at, online));
CREATE TABLE IF NOT EXISTS fleet_alarms (
  site text NOT NULL, alarm_id text NOT NULL, seq bigint NOT NULL, state text NOT NULL,
  title text NOT NULL, device text NOT NULL, building text NOT NULL, floor text NOT NULL,
  priority integer NOT NULL, life_safety boolean NOT NULL, raised_at timestamptz,
  acked_by text, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site, alarm_id));
CREATE TABLE IF NOT EXISTS fleet_alarm_journal (
  site text NOT NULL, seq bigint NOT NULL, id text NOT NULL, alarm_id text NOT NULL, type text NOT NULL,
  from_state text, to_state text NOT NULL, at timestamptz NOT NULL, by text, body jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (site, seq));
CREATE TABLE IF NOT EXISTS fleet_work_orders (
  site text NOT NULL, order_id bigint NOT NULL, updated_at bigint NOT NULL, status text NOT NULL,
  priority integer NOT NULL, title text NOT NULL, device text, fix_by bigint NOT NULL,
  PRIMARY KEY (site, order_id));
CREATE TABLE IF NOT EXISTS fleet_central_acks (
  ack_id text PRIMARY KEY, site text NOT NULL, alarm_id text NOT NULL, by_user text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz);
`;

const ts = (ms: number): Date => new Date(ms);

export class FleetStore {
  private readonly pool: pg.Pool;

  constructor(url: string, poolSize = 10, password?: string) {
    // bounded waits: a PostgreSQL that is gone fails a store (retried by the caller) instead of hanging it
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000, query_timeout: 10_000, ...(password !== undefined ? { password } : {}) });
    // an idle client losing its server (a PostgreSQL restart) must not crash the process
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    // one centre instance at a time creates the tables
    await withClient(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_lock(7411)');
      await c.query(SCHEMA);
      await c.query('SELECT pg_advisory_unlock(7411)');
    });
  }

  /**
   * NBIRTH: online with this bdSeq, unless a birth with a later payload timestamp is already stored
   * (two centre instances may finish storing two births of one site in either order).
   */
  async siteBorn(site: string, group: string, bdSeq: number, at: number, bornTs: number): Promise<void> {
    await this.pool.query(
      `WITH up AS (
         INSERT INTO fleet_sites (site, grp, online, bd_seq, changed_at, born_ts) VALUES ($1, $2, true, $3, $4, $5)
         ON CONFLICT (site) DO UPDATE SET online = true, bd_seq = $3, grp = $2, born_ts = $5,
           changed_at = CASE WHEN fleet_sites.online THEN fleet_sites.changed_at ELSE $4 END, updated_at = now()
         WHERE fleet_sites.born_ts IS NULL OR fleet_sites.born_ts <= $5
         RETURNING site)
       INSERT INTO fleet_site_events (site, at, online, bd_seq) SELECT site, $4, true, $3 FROM up ON CONFLICT DO NOTHING`,
      [site, group, bdSeq, ts(at), bornTs],
    );
  }

  /** NBIRTH's `Alarm/Journal Seq`: the newest row the site's journal holds (journal-replay.ts asks for what is missing). */
  async siteJournalSeq(site: string, seq: number): Promise<void> {
    await this.pool.query('UPDATE fleet_sites SET journal_seq = GREATEST(COALESCE(journal_seq, 0), $2) WHERE site = $1', [site, seq]);
  }

  /** NDEATH: offline, if it is the death of the session the site is known by (a stale one is ignored). */
  async siteDied(site: string, bdSeq: number, at: number): Promise<boolean> {
    const r = await this.pool.query(
      `WITH up AS (
         UPDATE fleet_sites SET online = false, changed_at = $3, updated_at = now()
         WHERE site = $1 AND bd_seq = $2 AND online RETURNING site)
       INSERT INTO fleet_site_events (site, at, online, bd_seq) SELECT site, $3, false, $2 FROM up ON CONFLICT DO NOTHING RETURNING site`,
      [site, bdSeq, ts(at)],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** The availability a site reported (a newer report only). */
  async siteAvailability(site: string, pct: number | null, at: number): Promise<void> {
    await this.pool.query(
      'UPDATE fleet_sites SET availability_pct = $2, availability_at = $3 WHERE site = $1 AND (availability_at IS NULL OR availability_at < $3)',
      [site, pct, ts(at)],
    );
  }

  async openAlarmSnapshot(site: string, alarms: readonly OpenAlarmSnapshot[]): Promise<void> {
    for (const a of alarms) {
      await this.pool.query(
        `INSERT INTO fleet_alarms (site, alarm_id, seq, state, title, device, building, floor, priority, life_safety, raised_at, acked_by)
         VALUES ($1,$2,0,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT DO NOTHING`,
        [site, a.id, a.state, a.title, a.device, a.building, a.floor, a.priority, a.lifeSafety, ts(a.raisedAt), a.ackedBy],
      );
    }
  }

  /** One journal row of a site: journaled once by (site, seq); the alarm row moves only forward. */
  async alarmTransition(site: string, t: AlarmTransition): Promise<void> {
    await inPgTransaction(this.pool, async (c) => {
      await c.query(
        `INSERT INTO fleet_alarm_journal (site, seq, id, alarm_id, type, from_state, to_state, at, by, body)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING`,
        [site, t.seq, t.id, t.alarmId, t.type, t.fromState, t.toState, ts(t.at), t.by, JSON.stringify(t)],
      );
      await c.query(
        `INSERT INTO fleet_alarms (site, alarm_id, seq, state, title, device, building, floor, priority, life_safety, raised_at, acked_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
         ON CONFLICT (site, alarm_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, priority = excluded.priority,
           title = excluded.title, raised_at = COALESCE(fleet_alarms.raised_at, excluded.raised_at),
           acked_by = COALESCE(excluded.acked_by, CASE WHEN excluded.state IN ('active-unack', 'rtn-unack') THEN NULL ELSE fleet_alarms.acked_by END),
           updated_at = now()
         WHERE fleet_alarms.seq < excluded.seq`,
        [
          site,
          t.alarmId,
          t.seq,
          t.toState,
          t.title,
          t.device,
          t.building,
          t.floor,
          t.priority,
          t.lifeSafety,
          t.type === 'raised' ? ts(t.at) : null,
          t.type === 'acknowledged' ? t.by : null,
        ],
      );
    });
  }

  async workOrder(site: string, w: WorkOrderEvent): Promise<void> {
    await this.pool.query(
      `INSERT INTO fleet_work_orders (site, order_id, updated_at, status, priority, title, device, fix_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (site, order_id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status,
         priority = excluded.priority, title = excluded.title, device = excluded.device, fix_by = excluded.fix_by
       WHERE fleet_work_orders.updated_at < excluded.updated_at`,
      [site, w.orderId, w.updatedAt, w.status, w.priority, w.title, w.device, w.fixBy],
    );
  }

  /** Journal a central acknowledgement (before it is sent); false if this ack id was journaled already. */
  async journalAck(ackId: string, site: string, alarmId: string, by: string): Promise<boolean> {
    const r = await this.pool.query('INSERT INTO fleet_central_acks (ack_id, site, alarm_id, by_user) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING', [ackId, site, alarmId, by]);
    return (r.rowCount ?? 0) > 0;
  }

  async ackSent(ackId: string): Promise<void> {
    await this.pool.query('UPDATE fleet_central_acks SET sent_at = now() WHERE ack_id = $1', [ackId]);
  }

  async sites(now: number): Promise<SiteSummary[]> {
    const r = await this.pool.query(
      `SELECT s.site, s.grp, s.online, s.changed_at, s.availability_pct,
         (SELECT count(*) FROM fleet_alarms a WHERE a.site = s.site AND a.priority = 1 AND a.state IN ('active-unack', 'active-ack')) AS p1,
         (SELECT count(*) FROM fleet_alarms a WHERE a.site = s.site AND a.state IN ('active-unack', 'rtn-unack')) AS unacked,
         (SELECT count(*) FROM fleet_work_orders w WHERE w.site = s.site AND ${OPEN_ORDER}) AS open_orders,
         (SELECT count(*) FROM fleet_work_orders w WHERE w.site = s.site AND ${OPEN_ORDER} AND w.status <> 'resolved' AND w.fix_by < $1) AS overdue
       FROM fleet_sites s ORDER BY s.site`,
      [now],
    );
    return r.rows.map((row: Record<string, unknown>) => ({
      site: String(row.site),
      group: String(row.grp),
      online: row.online === true,
      since: row.changed_at instanceof Date ? row.changed_at.getTime() : null,
      p1Active: Number(row.p1),
      unacked: Number(row.unacked),
      openOrders: Number(row.open_orders),
      overdueOrders: Number(row.overdue),
      availabilityPct: row.availability_pct === null || row.availability_pct === undefined ? null : Number(row.availability_pct),
    }));
  }

  async site(site: string): Promise<SiteSummary | undefined> {
    return (await this.sites(Date.now())).find((s) => s.site === site);
  }

  async alarms(site: string): Promise<FleetAlarm[]> {
    const r = await this.pool.query(
      `SELECT site, alarm_id, title, device, building, floor, priority, state, raised_at, acked_by, seq,
         (SELECT j.body->>'rule' FROM fleet_alarm_journal j WHERE j.site = a.site AND j.alarm_id = a.alarm_id ORDER BY j.seq DESC LIMIT 1) AS rule
       FROM fleet_alarms a WHERE site = $1 AND state <> 'normal' ORDER BY priority, raised_at DESC`,
      [site],
    );
    return r.rows.map((row: Record<string, unknown>) => ({
      site: String(row.site),
      alarmId: String(row.alarm_id),
      rule: typeof row.rule === 'string' ? row.rule : null,
      title: String(row.title),
      device: String(row.device),
      building: String(row.building),
      floor: String(row.floor),
      priority: Number(row.priority),
      state: String(row.state),
      raisedAt: row.raised_at instanceof Date ? row.raised_at.getTime() : null,
      ackedBy: row.acked_by === null ? null : String(row.acked_by),
      seq: Number(row.seq),
    }));
  }

  async orders(site: string): Promise<Array<WorkOrderEvent & { overdue: boolean }>> {
    const r = await this.pool.query(`SELECT * FROM fleet_work_orders WHERE site = $1 AND ${OPEN_ORDER} ORDER BY priority, fix_by`, [site]);
    const now = Date.now();
    return r.rows.map((row: Record<string, unknown>) => ({
      orderId: Number(row.order_id),
      status: String(row.status),
      priority: Number(row.priority),
      title: String(row.title),
      device: row.device === null ? null : String(row.device),
      updatedAt: Number(row.updated_at),
      fixBy: Number(row.fix_by),
      overdue: row.status !== 'resolved' && Number(row.fix_by) < now,
    }));
  }

  /** Rows of the alarm journal of a site (tests and the drill-down). */
  async journal(site: string): Promise<Array<{ seq: number; alarmId: string; type: string; by: string | null }>> {
    const r = await this.pool.query('SELECT seq, alarm_id, type, by FROM fleet_alarm_journal WHERE site = $1 ORDER BY seq', [site]);
    return r.rows.map((row: Record<string, unknown>) => ({ seq: Number(row.seq), alarmId: String(row.alarm_id), type: String(row.type), by: row.by === null ? null : String(row.by) }));
  }

  async siteEvents(site: string): Promise<Array<{ at: number; online: boolean }>> {
    const r = await this.pool.query('SELECT at, online FROM fleet_site_events WHERE site = $1 ORDER BY at', [site]);
    return r.rows.map((row: Record<string, unknown>) => ({ at: (row.at as Date).getTime(), online: row.online === true }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
