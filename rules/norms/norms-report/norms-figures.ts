/**
 * The monthly norms figures, pure: each norm's value (a share in %), target and verdict from the
 * month's work orders, resident requests, ratings, inspection rounds and availability.
 *
 * An item counts once it can be judged: it met its deadline, or its deadline has passed by the end
 * of the evaluated range (`min(range end, now)`); an open item still inside its deadline is pending
 * and left out. A norm without any judged item has `value: null` and verdict `no_data`.
 */
import type { WorkOrder } from '../../work-orders/index.ts';
import { firstResponse, type ResidentRequest } from '../resident-requests/index.ts';
import type { Round } from '../inspections/index.ts';

export const NORM_IDS = [
  'facilities_good_order',
  'building_services',
  'repair_response',
  'repair_fix',
  'service_response',
  'major_incidents',
  'complaints_closed',
  'satisfaction',
  'inspections_on_time',
  'drills_held',
] as const;
export type NormId = (typeof NORM_IDS)[number];

export type Targets = Readonly<Record<NormId, number>>;

export const DEFAULT_TARGETS: Targets = {
  facilities_good_order: 98,
  building_services: 95,
  repair_response: 95,
  repair_fix: 95,
  service_response: 95,
  major_incidents: 95,
  complaints_closed: 95,
  satisfaction: 90,
  inspections_on_time: 95,
  drills_held: 100,
};

/** A resident's service response must come within this (2 h). */
export const SERVICE_RESPONSE_MS = 2 * 3_600_000;

export interface AvailabilityInput {
  /** The site's pooled availability (%), null when nothing was observed. */
  readonly sitePct: number | null;
  readonly devices: ReadonlyArray<{ readonly device: string; readonly name: string; readonly pct: number | null; readonly targetPct: number }>;
}

export interface NormsInput {
  readonly range: { readonly from: number; readonly to: number; readonly label: string };
  readonly now: number;
  readonly availability: AvailabilityInput | null;
  /** Work orders created in the range (all sources). */
  readonly orders: readonly WorkOrder[];
  /** Resident requests created in the range, each with its work order. */
  readonly requests: ReadonlyArray<{ readonly request: ResidentRequest; readonly order: WorkOrder }>;
  /** Ratings given in the range. */
  readonly ratings: readonly number[];
  /** Rounds due in the range, with their route's title. */
  readonly rounds: ReadonlyArray<Round & { readonly title: string }>;
  /** Failed checklist items in the range, per device. */
  readonly failedItems: ReadonlyArray<{ readonly device: string }>;
  readonly targets: Targets;
}

export interface NormFigure {
  readonly id: NormId;
  /** Share in % (2 decimals), null without judged items. */
  readonly value: number | null;
  readonly target: number;
  readonly verdict: 'met' | 'missed' | 'no_data';
  /** Items meeting the norm / judged items (devices, requests, rounds; null for pooled availability). */
  readonly ok: number | null;
  readonly total: number | null;
  /** Items still inside their deadline at the end of the evaluation. */
  readonly pending: number;
}

export interface NormsFigures {
  readonly range: NormsInput['range'];
  readonly evaluatedTo: number;
  readonly norms: readonly NormFigure[];
  readonly counts: {
    readonly requests: number;
    readonly repairs: number;
    readonly complaints: number;
    readonly ratings: number;
    readonly roundsDue: number;
    readonly roundsMissed: number;
    readonly roundsLate: number;
    readonly drillsDue: number;
    readonly failedItems: number;
    readonly majorIncidents: number;
  };
  readonly worstDevices: ReadonlyArray<{ readonly device: string; readonly name: string; readonly pct: number | null; readonly targetPct: number; readonly failedItems: number }>;
  readonly worstRoutes: ReadonlyArray<{ readonly route: string; readonly title: string; readonly missed: number; readonly late: number; readonly due: number }>;
  /** The month's fire drills: when due, when held (null: not held) and how many took part. */
  readonly drills: ReadonlyArray<{ readonly route: string; readonly title: string; readonly dueAt: number; readonly doneAt: number | null; readonly attendance: number | null }>;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function share(id: NormId, ok: number, total: number, pending: number, targets: Targets): NormFigure {
  const value = total === 0 ? null : round2((ok / total) * 100);
  return { id, value, target: targets[id], verdict: value === null ? 'no_data' : value >= targets[id] ? 'met' : 'missed', ok, total, pending };
}

/** Judge items by deadline: `done` = time it was met (or null), counted when done or the deadline passed. */
function judge(items: ReadonlyArray<{ done: number | null; deadline: number }>, evaluatedTo: number): { ok: number; total: number; pending: number } {
  let ok = 0;
  let total = 0;
  let pending = 0;
  for (const i of items) {
    if (i.done !== null && i.done <= evaluatedTo) {
      total++;
      if (i.done <= i.deadline) ok++;
    } else if (i.deadline <= evaluatedTo) total++;
    else pending++;
  }
  return { ok, total, pending };
}

export function computeNorms(input: NormsInput, top = 5): NormsFigures {
  const evaluatedTo = Math.min(input.range.to, input.now);
  const t = input.targets;
  const norms: NormFigure[] = [];

  const a = input.availability;
  const sitePct = a?.sitePct ?? null;
  norms.push({ id: 'facilities_good_order', value: sitePct === null ? null : round2(sitePct), target: t.facilities_good_order, verdict: sitePct === null ? 'no_data' : sitePct >= t.facilities_good_order ? 'met' : 'missed', ok: null, total: null, pending: 0 });
  const judged = (a?.devices ?? []).filter((d) => d.pct !== null);
  norms.push(share('building_services', judged.filter((d) => (d.pct as number) >= d.targetPct).length, judged.length, 0, t));

  const repairs = input.requests.filter((r) => r.request.category === 'repair');
  const rr = judge(repairs.map((r) => ({ done: firstResponse(r.order), deadline: r.request.respondBy })), evaluatedTo);
  norms.push(share('repair_response', rr.ok, rr.total, rr.pending, t));
  const rf = judge(repairs.map((r) => ({ done: r.order.resolvedAt, deadline: r.request.closeBy })), evaluatedTo);
  norms.push(share('repair_fix', rf.ok, rf.total, rf.pending, t));
  const sr = judge(input.requests.map((r) => ({ done: firstResponse(r.order), deadline: r.request.createdAt + SERVICE_RESPONSE_MS })), evaluatedTo);
  norms.push(share('service_response', sr.ok, sr.total, sr.pending, t));

  // a major incident: a priority-1 order (life safety: fire, smoke, entrapment); in SLA = responded and fixed by its deadlines
  const major = input.orders.filter((o) => o.priority === 1 && o.status !== 'cancelled');
  const seen = (t: number | null): number | null => (t !== null && t <= evaluatedTo ? t : null);
  const mi = { ok: 0, total: 0, pending: 0 };
  for (const o of major) {
    const responded = seen(firstResponse(o));
    const resolved = seen(o.resolvedAt);
    const respondMissed = responded === null ? o.respondBy <= evaluatedTo : responded > o.respondBy;
    const fixMissed = resolved === null ? o.fixBy <= evaluatedTo : resolved > o.fixBy;
    if (respondMissed || fixMissed) mi.total++;
    else if (resolved !== null) {
      mi.ok++;
      mi.total++;
    } else mi.pending++;
  }
  norms.push(share('major_incidents', mi.ok, mi.total, mi.pending, t));

  const complaints = input.requests.filter((r) => r.request.category === 'complaint');
  const cc = judge(complaints.map((r) => ({ done: r.order.closedAt, deadline: r.request.closeBy })), evaluatedTo);
  norms.push(share('complaints_closed', cc.ok, cc.total, cc.pending, t));

  const satisfied = input.ratings.filter((s) => s >= 4).length;
  norms.push(share('satisfaction', satisfied, input.ratings.length, 0, t));

  const inspections = input.rounds.filter((r) => r.kind === 'inspection');
  const io = judge(inspections.map((r) => ({ done: r.doneAt, deadline: r.deadline })), evaluatedTo);
  norms.push(share('inspections_on_time', io.ok, io.total, io.pending, t));
  const drills = input.rounds.filter((r) => r.kind === 'drill');
  // a drill counts as held when done at all by the end of the evaluation; one not done by its deadline is not held
  const drillsDone = drills.filter((r) => seen(r.doneAt) !== null).length;
  const drillsJudged = drills.filter((r) => seen(r.doneAt) !== null || r.deadline <= evaluatedTo).length;
  norms.push(share('drills_held', drillsDone, drillsJudged, drills.length - drillsJudged, t));

  const { worstDevices, worstRoutes } = worstOffenders(input, evaluatedTo, top);

  return {
    range: input.range,
    evaluatedTo,
    norms,
    counts: {
      requests: input.requests.length,
      repairs: repairs.length,
      complaints: complaints.length,
      ratings: input.ratings.length,
      roundsDue: inspections.length,
      roundsMissed: inspections.filter((r) => (r.doneAt === null || r.doneAt > evaluatedTo) && r.deadline <= evaluatedTo).length,
      roundsLate: inspections.filter((r) => r.doneAt !== null && r.doneAt <= evaluatedTo && r.doneAt > r.deadline).length,
      drillsDue: drills.length,
      failedItems: input.failedItems.length,
      majorIncidents: major.length,
    },
    worstDevices,
    worstRoutes,
    drills: drills.map((r) => ({ route: r.route, title: r.title, dueAt: r.dueAt, doneAt: seen(r.doneAt), attendance: r.attendance })),
  };
}

/** Devices below their target or with failed items, and routes with missed or late rounds, worst first. */
function worstOffenders(input: NormsInput, evaluatedTo: number, top: number): Pick<NormsFigures, 'worstDevices' | 'worstRoutes'> {
  const a = input.availability;
  const failedBy = new Map<string, number>();
  for (const f of input.failedItems) failedBy.set(f.device, (failedBy.get(f.device) ?? 0) + 1);
  const worstDevices = (a?.devices ?? [])
    .map((d) => ({ ...d, failedItems: failedBy.get(d.device) ?? 0 }))
    .filter((d) => (d.pct !== null && d.pct < d.targetPct) || d.failedItems > 0)
    .sort((x, y) => (x.pct ?? 101) - (y.pct ?? 101) || y.failedItems - x.failedItems || x.device.localeCompare(y.device))
    .slice(0, top);
  const byRoute = new Map<string, { route: string; title: string; missed: number; late: number; due: number }>();
  for (const r of input.rounds) {
    const e = byRoute.get(r.route) ?? { route: r.route, title: r.title, missed: 0, late: 0, due: 0 };
    e.due++;
    if (r.doneAt === null || r.doneAt > evaluatedTo) {
      if (r.deadline <= evaluatedTo) e.missed++;
    } else if (r.doneAt > r.deadline) e.late++;
    byRoute.set(r.route, e);
  }
  const worstRoutes = [...byRoute.values()]
    .filter((r) => r.missed + r.late > 0)
    .sort((x, y) => y.missed - x.missed || y.late - x.late || x.route.localeCompare(y.route))
    .slice(0, top);

  return { worstDevices, worstRoutes };
}
