/** The operations centre's JSON as the fleet page reads it (`GET /api/fleet`, `GET /api/sites/:site`). */
import type { FleetAlarm, FleetSite, FleetWorkOrder } from '../../../gateway/api/contract.ts';

export type { FleetAlarm, FleetSite };

export interface Fleet {
  readonly sites: readonly FleetSite[];
  readonly availabilityTarget: number;
}

/** An open order of a site, with whether its fix-by time has passed. */
export type FleetOrder = FleetWorkOrder & { readonly overdue: boolean };

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
