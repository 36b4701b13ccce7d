/**
 * The console's view of the open alarms: which are announced, how they sort and filter, and how a
 * pushed AlarmEvent changes the set. Pure functions (no DOM), shared by the store and the page.
 */
import type { AlarmEvent, AlarmRecord, FloodInfo } from '../../../gateway/api/contract.ts';

export interface AlarmFilter {
  readonly building: string;
  readonly floor: string;
  readonly kind: string;
  readonly priority: string;
}

export const NO_FILTER: AlarmFilter = { building: '', floor: '', kind: '', priority: '' };

/** Shelved and suppressed alarms are recorded but not announced: the console lists them apart. */
export function isAnnounced(a: AlarmRecord): boolean {
  return a.shelved === null && !a.suppressed;
}

/**
 * The strip: an open priority-1 or life-safety alarm hidden from the active list by a shelf or a
 * device mode (maintenance / out of service) stays in sight. Same rule as the API's
 * `hiddenLifeSafety`; consequences grouped under a parent are shown with the parent instead.
 */
export function isHiddenLifeSafety(a: AlarmRecord): boolean {
  return (a.lifeSafety === true || a.priority === 1) && (a.shelved !== null || (a.suppressed && !a.parent));
}

/**
 * The announced alarms each followed by the consequences grouped under it (`parent`), and the rest
 * (shelved, suppressed, or grouped under a parent that is not shown). `child` marks a grouped row.
 */
export function groupRows(shown: readonly AlarmRecord[]): { rows: Array<{ alarm: AlarmRecord; child: boolean }>; apart: AlarmRecord[] } {
  const children = new Map<string, AlarmRecord[]>();
  for (const a of shown) {
    if (!a.parent) continue;
    const list = children.get(a.parent);
    if (list) list.push(a);
    else children.set(a.parent, [a]);
  }
  const rows: Array<{ alarm: AlarmRecord; child: boolean }> = [];
  const placed = new Set<string>();
  for (const a of shown) {
    if (!isAnnounced(a)) continue;
    rows.push({ alarm: a, child: false });
    for (const c of children.get(a.id) ?? []) {
      rows.push({ alarm: c, child: true });
      placed.add(c.id);
    }
  }
  const apart = shown.filter((a) => !isAnnounced(a) && !placed.has(a.id));
  return { rows, apart };
}

/** Waiting for an operator's acknowledgement (active or returned to normal). */
export function isUnacked(a: AlarmRecord): boolean {
  return a.state === 'active-unack' || a.state === 'rtn-unack';
}

/** Priority 1 first; newest first within a priority; the id keeps the order stable. */
export function byPriorityThenNewest(a: AlarmRecord, b: AlarmRecord): number {
  return a.priority - b.priority || b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function matchesFilter(a: AlarmRecord, f: AlarmFilter): boolean {
  return (
    (f.building === '' || a.building === f.building) &&
    (f.floor === '' || a.floor === f.floor) &&
    (f.kind === '' || a.kind === f.kind) &&
    (f.priority === '' || String(a.priority) === f.priority)
  );
}

/**
 * Apply one event to the open set (keyed by id). A record that reached `normal` leaves the console;
 * an older copy never overwrites a newer one (a reload and a pushed event may cross).
 */
export function applyAlarmEvent(open: Map<string, AlarmRecord>, e: AlarmEvent): void {
  const a = e.alarm;
  const known = open.get(a.id);
  if (known && known.updatedAt > a.updatedAt) return;
  if (a.state === 'normal' || a.closedAt !== null) open.delete(a.id);
  else open.set(a.id, a);
}

export interface FloodView extends FloodInfo {
  /** Epoch ms after which the window has certainly passed (the server sends no end event). */
  readonly until: number;
}

export function floodFromEvent(e: AlarmEvent): FloodView | null {
  return e.flood ? { ...e.flood, until: e.at + e.flood.windowMs } : null;
}
