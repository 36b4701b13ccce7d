/** The states a device can be in on the uptime ledger, and one ledger interval. */

/**
 * - `in_service`: up and observed.
 * - `fault`: unplanned down (a down condition of its kind holds).
 * - `maintenance`: planned down (a preventive order or maintenance mode said so).
 * - `comms_lost`: the device is silent or only sends bad-quality data; its state is unknown.
 * - `unknown`: the gateway itself was not running (reason `gateway_down`).
 */
export const UPTIME_STATES = ['in_service', 'fault', 'maintenance', 'comms_lost', 'unknown'] as const;
export type UptimeState = (typeof UPTIME_STATES)[number];

/** States whose time nobody witnessed: they count per the kind's comms policy. */
export function isUnobserved(state: UptimeState): boolean {
  return state === 'comms_lost' || state === 'unknown';
}

/** One interval of the ledger: [start, end) in epoch ms; `end === null` while it is open. */
export interface LedgerInterval {
  readonly device: string;
  readonly state: UptimeState;
  readonly reason: string;
  readonly start: number;
  readonly end: number | null;
}

export const GATEWAY_DOWN = 'gateway_down';
/** After a start, until the first contact (at most `offlineAfter`): not monitored yet, outside the basis. */
export const AWAITING_FIRST_SAMPLE = 'awaiting_first_sample';
/** No first contact within `offlineAfter` of a start: comms lost, counted per the comms policy. */
export const NEVER_HEARD = 'never_heard';
export const SILENT = 'silent';
export const BAD_QUALITY = 'bad_quality';
