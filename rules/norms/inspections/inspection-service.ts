/**
 * Inspection rounds: each route's cron (site time zone) makes a round due on the Clock; a patrol or
 * contractor checks in at each device by its QR link and records every checklist item (pass, fail
 * or a reading, optional photo); a failed item opens a work order for the device. A round not
 * completed by `dueAt + window` is missed (it may still be completed, then it counts as late).
 * Rounds are materialised from a per-route cursor, so a restart neither loses nor repeats one;
 * the first start schedules from then on (no backfill of rounds before the gateway ran).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { inTransaction } from '../../../gateway/platform/sqlite-file.ts';
import { cronProblem, cronSchedule, type CronSchedule } from '../../work-orders/index.ts';
import type { RouteConfig } from '../norms-schema.ts';
import type { QrSigner } from './qr-link.ts';
import { InspectionError, type ItemResult, type Round, type RoundStatus } from './round-model.ts';

const MAX_SLEEP = 6 * 3_600_000;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const MAX_PHOTO = 2 * 1024 * 1024;

/** What a failed item needs of work orders: an order for the device, or a conflict when one is open. */
export interface InspectionOrderPort {
  create(input: { device: string; trade: string; priority: 1 | 2 | 3 | 4; title: string; fault: string }, actor: { type: 'operator' | 'contractor'; id: string }): { id: number };
}

export interface ItemInput {
  readonly item: string;
  /** For `check` items. */
  readonly result?: 'pass' | 'fail' | undefined;
  /** For `reading` items. */
  readonly reading?: number | undefined;
  readonly note?: string | undefined;
  readonly photo?: { readonly type: string; readonly base64: string } | undefined;
}

export interface Recorder {
  readonly type: 'operator' | 'contractor';
  readonly id: string;
}

interface ResolvedRoute extends RouteConfig {
  readonly deviceIds: readonly string[];
  readonly schedule: CronSchedule;
}

interface RoundRow {
  id: number;
  route: string;
  kind: string;
  due_at: number;
  deadline: number;
  status: string;
  started_at: number | null;
  done_at: number | null;
  done_by: string | null;
  attendance: number | null;
}

const toRound = (r: RoundRow): Round => ({
  id: r.id,
  route: r.route,
  kind: r.kind as Round['kind'],
  dueAt: r.due_at,
  deadline: r.deadline,
  status: r.status as RoundStatus,
  startedAt: r.started_at,
  doneAt: r.done_at,
  doneBy: r.done_by,
  attendance: r.attendance,
});

interface ResultRow {
  round_id: number;
  device: string;
  item: string;
  result: string;
  reading: number | null;
  note: string | null;
  photo_type: string | null;
  at: number;
  by: string;
  order_id: number | null;
}

const toResult = (r: ResultRow): ItemResult => ({
  roundId: r.round_id,
  device: r.device,
  item: r.item,
  result: r.result as ItemResult['result'],
  reading: r.reading,
  note: r.note,
  hasPhoto: r.photo_type !== null,
  at: r.at,
  by: r.by,
  orderId: r.order_id,
});

export interface InspectionServiceOptions {
  readonly db: DatabaseSync;
  readonly routes: readonly RouteConfig[];
  readonly devices: readonly DeviceInfo[];
  readonly clock: Clock;
  readonly timeZone: string;
  readonly qr: QrSigner;
  readonly orders: InspectionOrderPort | undefined;
  readonly log: Logger;
}

/** Config problems of the routes (unknown devices, bad cron), each with its path. */
export function routeIssues(routes: readonly RouteConfig[], deviceIds: readonly string[]): string[] {
  const issues: string[] = [];
  const known = new Set(deviceIds);
  const ids = new Set<string>();
  routes.forEach((r, i) => {
    if (ids.has(r.id)) issues.push(`norms.inspections.routes[${i}].id: duplicate route id "${r.id}"`);
    ids.add(r.id);
    const problem = cronProblem(r.cron);
    if (problem) issues.push(`norms.inspections.routes[${i}].cron: ${problem}`);
    r.devices.forEach((d, j) => {
      if (!known.has(d)) issues.push(`norms.inspections.routes[${i}].devices[${j}]: unknown device "${d}"`);
    });
    r.checklist.forEach((c, j) => {
      if (c.type === 'check' && (c.min !== undefined || c.max !== undefined)) issues.push(`norms.inspections.routes[${i}].checklist[${j}]: min/max apply to readings only`);
    });
  });
  return issues;
}

export class InspectionService {
  private readonly o: InspectionServiceOptions;
  private readonly routes = new Map<string, ResolvedRoute>();
  private timer: Timer | undefined;
  private stopped = false;

  constructor(options: InspectionServiceOptions) {
    this.o = options;
    const issues = routeIssues(options.routes, options.devices.map((d) => d.id));
    if (issues.length > 0) throw new InspectionError('bad_request', issues.join('; '));
    for (const r of options.routes) {
      const deviceIds = [...new Set([...r.devices, ...options.devices.filter((d) => (r.deviceKinds as readonly string[]).includes(d.kind)).map((d) => d.id)])];
      this.routes.set(r.id, { ...r, deviceIds, schedule: cronSchedule(r.cron, options.timeZone) });
    }
  }

  start(): void {
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  hasDevice(id: string): boolean {
    return this.o.devices.some((d) => d.id === id);
  }

  routeList(): ReadonlyArray<RouteConfig & { readonly deviceIds: readonly string[] }> {
    return [...this.routes.values()].map(({ schedule: _s, ...r }) => r);
  }

  /** Materialise rounds due by now, mark those past their deadline missed, and sleep until the next event. */
  tick(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const db = this.o.db;
    inTransaction(db, () => {
      for (const r of this.routes.values()) {
        const row = db.prepare('SELECT scheduled_until FROM inspection_cursor WHERE route = ?').get(r.id) as { scheduled_until: number } | undefined;
        let cursor = row?.scheduled_until ?? now;
        for (let next = r.schedule.next(cursor); next !== undefined && next <= now; next = r.schedule.next(cursor)) {
          db.prepare("INSERT OR IGNORE INTO inspection_round (route, kind, due_at, deadline, status) VALUES (?, ?, ?, ?, 'due')").run(r.id, r.kind, next, next + r.window);
          cursor = next;
        }
        db.prepare('INSERT INTO inspection_cursor (route, scheduled_until) VALUES (?, ?) ON CONFLICT (route) DO UPDATE SET scheduled_until = excluded.scheduled_until').run(r.id, Math.max(cursor, now));
      }
      db.prepare("UPDATE inspection_round SET status = 'missed' WHERE status IN ('due', 'in_progress') AND deadline <= ?").run(now);
    });
    let wake = now + MAX_SLEEP;
    for (const r of this.routes.values()) {
      const next = r.schedule.next(now);
      if (next !== undefined) wake = Math.min(wake, next);
    }
    const deadline = db.prepare("SELECT MIN(deadline) AS d FROM inspection_round WHERE status IN ('due', 'in_progress')").get() as { d: number | null };
    if (deadline.d !== null) wake = Math.min(wake, deadline.d);
    this.timer?.cancel();
    this.timer = this.o.clock.setTimer(Math.max(0, wake - now), () => this.tick());
  }

  round(id: number): Round {
    const row = this.o.db.prepare('SELECT * FROM inspection_round WHERE id = ?').get(id) as RoundRow | undefined;
    if (!row) throw new InspectionError('not_found', `round ${id}: not found`);
    return toRound(row);
  }

  /** Rounds due in [from, to), oldest first. */
  rounds(from: number, to: number, route?: string): Round[] {
    return (this.o.db.prepare('SELECT * FROM inspection_round WHERE due_at >= ? AND due_at < ? AND (? IS NULL OR route = ?) ORDER BY due_at, id').all(from, to, route ?? null, route ?? null) as unknown as RoundRow[]).map(toRound);
  }

  results(roundId: number): ItemResult[] {
    return (this.o.db.prepare('SELECT * FROM inspection_result WHERE round_id = ? ORDER BY at, device, item').all(roundId) as unknown as ResultRow[]).map(toResult);
  }

  /** The photo of one recorded item, if any. */
  photo(roundId: number, device: string, item: string): { type: string; data: Buffer } | undefined {
    const r = this.o.db.prepare('SELECT photo_type, photo FROM inspection_result WHERE round_id = ? AND device = ? AND item = ?').get(roundId, device, item) as { photo_type: string | null; photo: Uint8Array | null } | undefined;
    return r?.photo_type && r.photo ? { type: r.photo_type, data: Buffer.from(r.photo) } : undefined;
  }

  /** A device's results in [from, to) (the ledger's history page). */
  deviceResults(device: string, from: number, to: number): ItemResult[] {
    return (this.o.db.prepare('SELECT * FROM inspection_result WHERE device = ? AND at >= ? AND at < ? ORDER BY at').all(device, from, to) as unknown as ResultRow[]).map(toResult);
  }

  /** Check-in at a device by its QR signature: the rounds not yet done that visit it, with their checklists. */
  checkIn(device: string, sig: string): Array<{ round: Round; title: string; checklist: RouteConfig['checklist']; done: string[] }> {
    if (!this.o.qr.verify(device, sig)) throw new InspectionError('not_found', 'sig: this is not the QR code of that device; scan the label on the device');
    this.tick();
    const open = this.o.db.prepare("SELECT * FROM inspection_round WHERE status IN ('due', 'in_progress', 'missed') AND done_at IS NULL ORDER BY due_at").all() as unknown as RoundRow[];
    return open
      .map(toRound)
      .filter((r) => this.routes.get(r.route)?.deviceIds.includes(device))
      .map((round) => {
        const route = this.routes.get(round.route) as ResolvedRoute;
        const done = this.results(round.id).filter((x) => x.device === device).map((x) => x.item);
        return { round, title: route.title, checklist: route.checklist, done };
      });
  }

  /** Record a device's checklist items in a round (after check-in by its QR signature). */
  record(roundId: number, device: string, sig: string, items: readonly ItemInput[], by: Recorder, attendance?: number): { round: Round; results: ItemResult[] } {
    if (!this.o.qr.verify(device, sig)) throw new InspectionError('not_found', 'sig: this is not the QR code of that device; scan the label on the device');
    this.tick();
    const round = this.round(roundId);
    const route = this.routes.get(round.route);
    if (!route) throw new InspectionError('conflict', `round ${roundId}: its route "${round.route}" is no longer configured`);
    if (round.doneAt !== null) throw new InspectionError('conflict', `round ${roundId}: already completed`);
    if (!route.deviceIds.includes(device)) throw new InspectionError('bad_request', `device: ${device} is not on route ${route.id}`, 'device');
    if (round.kind === 'drill' && attendance === undefined) throw new InspectionError('bad_request', 'attendance: a drill records how many people took part', 'attendance');
    if (attendance !== undefined && (!Number.isInteger(attendance) || attendance < 0)) throw new InspectionError('bad_request', 'attendance: expected a whole number ≥ 0', 'attendance');
    const now = this.o.clock.now();
    const byName = `${by.type}:${by.id}`;
    const prepared = items.map((input, i) => {
      const def = route.checklist.find((c) => c.id === input.item);
      if (!def) throw new InspectionError('bad_request', `items[${i}].item: "${input.item}" is not on the checklist of ${route.id}`, `items[${i}].item`);
      let result: 'pass' | 'fail';
      let reading: number | null = null;
      if (def.type === 'reading') {
        if (typeof input.reading !== 'number' || !Number.isFinite(input.reading)) throw new InspectionError('bad_request', `items[${i}].reading: "${def.id}" needs a reading`, `items[${i}].reading`);
        reading = input.reading;
        const out = (def.min !== undefined && reading < def.min) || (def.max !== undefined && reading > def.max);
        result = input.result === 'fail' || out ? 'fail' : 'pass';
      } else {
        if (input.result !== 'pass' && input.result !== 'fail') throw new InspectionError('bad_request', `items[${i}].result: expected pass or fail`, `items[${i}].result`);
        result = input.result;
      }
      let photo: Buffer | null = null;
      if (input.photo) {
        if (!PHOTO_TYPES.has(input.photo.type)) throw new InspectionError('bad_request', `items[${i}].photo.type: expected image/jpeg, image/png or image/webp`, `items[${i}].photo`);
        photo = Buffer.from(input.photo.base64, 'base64');
        if (photo.length === 0 || photo.length > MAX_PHOTO) throw new InspectionError('bad_request', `items[${i}].photo: empty or larger than ${MAX_PHOTO} bytes`, `items[${i}].photo`);
      }
      const note = input.note?.trim() || null;
      if (note !== null && note.length > 1000) throw new InspectionError('bad_request', `items[${i}].note: at most 1000 characters`, `items[${i}].note`);
      return { def, result, reading, note, photo, photoType: input.photo && photo ? input.photo.type : null };
    });
    if (new Set(prepared.map((p) => p.def.id)).size !== prepared.length) throw new InspectionError('bad_request', 'items: an item is listed twice');
    // a failed item opens a work order for the device (one per device and item while it is open)
    const orderIds = prepared.map((p) => {
      if (p.result !== 'fail' || !this.o.orders) return null;
      try {
        return this.o.orders.create(
          { device, trade: route.trade, priority: 3, title: `巡检不合格 Inspection failed: ${route.title} / ${p.def.label}${p.reading !== null ? ` (${p.reading}${p.def.unit ?? ''})` : ''}`, fault: `inspection:${route.id}:${p.def.id}` },
          by,
        ).id;
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message, device, item: p.def.id }, 'failed inspection item: no new work order');
        return null;
      }
    });
    inTransaction(this.o.db, () => {
      prepared.forEach((p, i) => {
        this.o.db
          .prepare(
            `INSERT INTO inspection_result (round_id, device, item, result, reading, note, photo_type, photo, at, by, order_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (round_id, device, item) DO UPDATE SET result = excluded.result, reading = excluded.reading, note = excluded.note, photo_type = excluded.photo_type, photo = excluded.photo, at = excluded.at, by = excluded.by, order_id = COALESCE(excluded.order_id, inspection_result.order_id)`,
          )
          .run(roundId, device, p.def.id, p.result, p.reading, p.note, p.photoType, p.photo, now, byName, orderIds[i] ?? null);
      });
      if (attendance !== undefined) this.o.db.prepare('UPDATE inspection_round SET attendance = ? WHERE id = ?').run(attendance, roundId);
      this.o.db.prepare("UPDATE inspection_round SET started_at = COALESCE(started_at, ?), status = CASE WHEN status = 'due' THEN 'in_progress' ELSE status END WHERE id = ?").run(now, roundId);
      const recorded = (this.o.db.prepare('SELECT COUNT(*) AS n FROM inspection_result WHERE round_id = ?').get(roundId) as { n: number }).n;
      const drillOk = round.kind !== 'drill' || (this.o.db.prepare('SELECT attendance FROM inspection_round WHERE id = ?').get(roundId) as { attendance: number | null }).attendance !== null;
      if (recorded >= route.deviceIds.length * route.checklist.length && drillOk) {
        this.o.db.prepare("UPDATE inspection_round SET status = 'done', done_at = ?, done_by = ? WHERE id = ?").run(now, byName, roundId);
      }
    });
    return { round: this.round(roundId), results: this.results(roundId) };
  }
}
