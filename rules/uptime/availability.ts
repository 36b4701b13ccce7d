/**
 * Pure availability arithmetic over ledger intervals (no I/O, no clock): what a device's ledger
 * says about a range [from, to), exact to the millisecond.
 *
 *   basis        = recorded time in range − planned maintenance − (comms policy `separate`: unobserved)
 *   unplanned    = fault time + (comms policy `down`: unobserved time)
 *   availability = (basis − unplanned) / basis
 *
 * where "unobserved" is comms_lost + unknown (gateway down). Time in the range the ledger has no
 * record of (before the device was first watched, after `now`) is outside the basis and reported
 * as `unrecordedMs` / `futureMs`. So is the start-up wait for a device's first contact (reason
 * `awaiting_first_sample`, at most its `offlineAfter`): nobody has monitored it yet, so it is
 * neither up nor down. The basis therefore starts when the device was first monitored, and at
 * the period start afterwards; `observedMs` of `spanMs` is the report's coverage.
 */
import type { CommsPolicy } from './uptime-schema.ts';
import { AWAITING_FIRST_SAMPLE, isUnobserved, type LedgerInterval, type UptimeState } from './uptime-state.ts';

export interface FigureOptions {
  readonly from: number;
  readonly to: number;
  /** Open intervals run until now; time after now is not evaluated. */
  readonly now: number;
  readonly comms: CommsPolicy;
  readonly targetPct: number;
}

/** Additive totals (sum across devices for groups). */
export interface Totals {
  /** Length of the evaluated part of the range (from .. min(to, now)). */
  readonly spanMs: number;
  /** Part of the range after now. */
  readonly futureMs: number;
  readonly recordedMs: number;
  /** Time not monitored: before the first record, pruned, or awaiting the first contact after a start. */
  readonly unrecordedMs: number;
  /** Time the device was actually seen (in service, fault, maintenance): the coverage. */
  readonly observedMs: number;
  readonly inServiceMs: number;
  readonly faultMs: number;
  readonly maintenanceMs: number;
  readonly commsLostMs: number;
  readonly unknownMs: number;
  /** Availability denominator: recorded − maintenance − excluded unobserved time. */
  readonly basisMs: number;
  /** Fault time plus unobserved time where the comms policy is `down`. */
  readonly unplannedDownMs: number;
  /** Unobserved time left out of the basis (comms policy `separate`). */
  readonly excludedMs: number;
  /** Fault episodes that began inside the range. */
  readonly faults: number;
  /** Fault episodes with fault time inside the range (MTTR divisor). */
  readonly faultEpisodesInRange: number;
  /** Downtime the target allows over the basis. */
  readonly allowedDowntimeMs: number;
  /** Unplanned downtime beyond what the target allows ("time below target"). */
  readonly timeBelowTargetMs: number;
}

export interface Figures extends Totals {
  readonly from: number;
  readonly to: number;
  readonly evaluatedTo: number;
  /** Where monitoring starts inside the range (first record, not the start-up wait); null: never in range. */
  readonly monitoredFrom: number | null;
  /** null when the basis is empty (future or empty range, all maintenance, no record). */
  readonly availabilityPct: number | null;
  readonly targetPct: number;
  readonly meetsTarget: boolean | null;
  readonly downtimeMinutes: number;
  /** Mean time between failures: in-service time / faults begun in range (null without faults). */
  readonly mtbfMs: number | null;
  /** Mean time to repair: fault time / fault episodes touching the range (null without any). */
  readonly mttrMs: number | null;
}

/**
 * Figures for one device. `intervals` are that device's ledger rows overlapping the range, and
 * may include earlier rows (they tell whether a fault at `from` continues an earlier episode
 * across a comms or gateway gap); they need not be sorted.
 */
export function deviceFigures(intervals: readonly LedgerInterval[], o: FigureOptions): Figures {
  if (o.to < o.from) throw new RangeError(`range ends (${o.to}) before it starts (${o.from})`);
  const evaluatedTo = Math.max(o.from, Math.min(o.to, o.now));
  const byState: Record<UptimeState, number> = { in_service: 0, fault: 0, maintenance: 0, comms_lost: 0, unknown: 0 };
  let faults = 0;
  let episodesInRange = 0;
  let lastObserved: UptimeState | undefined;
  let episodeCounted = false;
  let monitoredFrom: number | null = null;
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  for (const iv of sorted) {
    const end = iv.end ?? Math.max(iv.start, o.now);
    const s = Math.max(iv.start, o.from);
    const e = Math.min(end, evaluatedTo);
    const inRange = e > s ? e - s : 0;
    // waiting for the first contact after a start: not monitored yet (unrecorded), neither up nor down
    if (iv.reason === AWAITING_FIRST_SAMPLE && iv.state === 'comms_lost') continue;
    if (inRange > 0 && monitoredFrom === null) monitoredFrom = s;
    byState[iv.state] += inRange;
    if (iv.state === 'fault') {
      const newEpisode = lastObserved !== 'fault';
      if (newEpisode) {
        episodeCounted = false;
        if (iv.start >= o.from && iv.start < evaluatedTo) faults++;
      }
      if (inRange > 0 && !episodeCounted) {
        episodesInRange++;
        episodeCounted = true;
      }
    }
    if (!isUnobserved(iv.state)) lastObserved = iv.state;
  }
  const spanMs = evaluatedTo - o.from;
  const recordedMs = byState.in_service + byState.fault + byState.maintenance + byState.comms_lost + byState.unknown;
  const unobserved = byState.comms_lost + byState.unknown;
  const excludedMs = o.comms === 'separate' ? unobserved : 0;
  const unplannedDownMs = byState.fault + (o.comms === 'down' ? unobserved : 0);
  const basisMs = recordedMs - byState.maintenance - excludedMs;
  const totals: Totals = {
    spanMs,
    futureMs: Math.max(0, o.to - Math.max(o.from, o.now)),
    recordedMs,
    unrecordedMs: spanMs - recordedMs,
    observedMs: byState.in_service + byState.fault + byState.maintenance,
    inServiceMs: byState.in_service,
    faultMs: byState.fault,
    maintenanceMs: byState.maintenance,
    commsLostMs: byState.comms_lost,
    unknownMs: byState.unknown,
    basisMs,
    unplannedDownMs,
    excludedMs,
    faults,
    faultEpisodesInRange: episodesInRange,
    allowedDowntimeMs: allowed(basisMs, o.targetPct),
    timeBelowTargetMs: Math.max(0, unplannedDownMs - allowed(basisMs, o.targetPct)),
  };
  return withRatios(totals, { from: o.from, to: o.to, evaluatedTo, targetPct: o.targetPct, monitoredFrom });
}

function allowed(basisMs: number, targetPct: number): number {
  return (basisMs * (100 - targetPct)) / 100;
}

/** Derived ratios from additive totals (used for devices and for pooled groups alike). */
export function withRatios(t: Totals, r: { from: number; to: number; evaluatedTo: number; targetPct: number; monitoredFrom: number | null }): Figures {
  const availabilityPct = t.basisMs > 0 ? (100 * (t.basisMs - t.unplannedDownMs)) / t.basisMs : null;
  return {
    ...t,
    ...r,
    availabilityPct,
    meetsTarget: availabilityPct === null ? null : availabilityPct >= r.targetPct,
    downtimeMinutes: t.unplannedDownMs / 60_000,
    mtbfMs: t.faults > 0 ? t.inServiceMs / t.faults : null,
    mttrMs: t.faultEpisodesInRange > 0 ? t.faultMs / t.faultEpisodesInRange : null,
  };
}

const ADDITIVE: ReadonlyArray<keyof Totals> = [
  'spanMs',
  'futureMs',
  'recordedMs',
  'unrecordedMs',
  'observedMs',
  'inServiceMs',
  'faultMs',
  'maintenanceMs',
  'commsLostMs',
  'unknownMs',
  'basisMs',
  'unplannedDownMs',
  'excludedMs',
  'faults',
  'faultEpisodesInRange',
];

/**
 * Pooled figures of several devices: time-weighted (sum of in-service time over sum of bases),
 * so a device with a larger basis weighs more. `timeBelowTargetMs` is the sum of each device's
 * own excess, not the excess of the pool.
 */
export function pooledFigures(members: readonly Figures[], r: { from: number; to: number; evaluatedTo: number; targetPct: number }): Figures {
  const sum = Object.fromEntries(ADDITIVE.map((k) => [k, members.reduce((acc, m) => acc + m[k], 0)])) as Record<keyof Totals, number>;
  const totals: Totals = {
    ...sum,
    allowedDowntimeMs: allowed(sum.basisMs, r.targetPct),
    timeBelowTargetMs: members.reduce((acc, m) => acc + m.timeBelowTargetMs, 0),
  };
  const starts = members.map((m) => m.monitoredFrom).filter((x): x is number => x !== null);
  return withRatios(totals, { ...r, monitoredFrom: starts.length > 0 ? Math.min(...starts) : null });
}
