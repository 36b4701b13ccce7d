/** The operations centre's JSON as the fleet page reads it (`GET /api/fleet`, `GET /api/sites/:site`). */

export interface FleetSite {
  readonly site: string;
  readonly group: string;
  readonly online: boolean;
  readonly since: number | null;
  readonly p1Active: number;
  readonly unacked: number;
  readonly openOrders: number;
  readonly overdueOrders: number;
  /** Month-to-date availability, %, as the site reported it; null: not reported (shown as unknown). */
  readonly availabilityPct: number | null;
}

export interface Fleet {
  readonly sites: readonly FleetSite[];
  readonly availabilityTarget: number;
}

export interface FleetAlarm {
  readonly alarmId: string;
  /** The site's rule id (from the alarm's journal), so the title can be shown in the reader's language. */
  readonly rule: string | null;
  readonly title: string;
  readonly device: string;
  readonly building: string;
  readonly floor: string;
  readonly priority: number;
  readonly state: string;
  readonly raisedAt: number | null;
  readonly ackedBy: string | null;
}

export interface FleetOrder {
  readonly orderId: number;
  readonly status: string;
  readonly priority: number;
  readonly title: string;
  readonly device: string | null;
  readonly fixBy: number;
  readonly overdue: boolean;
}

export interface SiteDetail {
  readonly site: FleetSite;
  readonly alarms: readonly FleetAlarm[];
  readonly orders: readonly FleetOrder[];
  /** The logged-in user may acknowledge (operator). */
  readonly canAcknowledge: boolean;
}

/** GET a JSON resource of the centre; the browser sends the Basic login it already holds. */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Central acknowledgement of a site's alarm (an NCMD to the site); resolves once the centre answered 202. */
export async function acknowledge(site: string, alarmId: string): Promise<void> {
  const res = await fetch(`api/sites/${encodeURIComponent(site)}/alarms/${encodeURIComponent(alarmId)}/ack`, { method: 'POST' });
  if (res.status !== 202) throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${res.status}`);
}
