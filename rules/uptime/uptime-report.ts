/**
 * Reports: per-device figures pooled per kind, per building and for the site, the worst
 * offenders, and the fleet's share of devices in good order right now. Pure: the ledger rows
 * and the current states come in as data.
 */
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import { deviceFigures, pooledFigures, type Figures } from './availability.ts';
import { kindPolicyOf, type CommsPolicy, type UptimeConfig } from './uptime-schema.ts';
import type { LedgerInterval, UptimeState } from './uptime-state.ts';
import { dayRange, localParts } from '../../gateway/platform/zoned-time.ts';

export interface DeviceReport extends Figures {
  readonly device: string;
  readonly name: string;
  readonly kind: DeviceKind;
  readonly building: string;
  readonly floor: string;
  readonly comms: CommsPolicy;
  /**
   * Local calendar days (site time zone) touching the evaluated range on which the device's own
   * availability was below its target; null for ranges longer than 400 days.
   */
  readonly daysBelowTarget: number | null;
}

export interface GroupReport extends Figures {
  readonly group: 'site' | 'building' | 'kind';
  readonly key: string;
  readonly devices: number;
  readonly devicesBelowTarget: number;
}

export interface FleetStatus {
  readonly at: number;
  readonly devices: number;
  readonly inGoodOrder: number;
  /** null for a site without devices. */
  readonly sharePct: number | null;
  readonly targetPct: number;
  readonly meetsTarget: boolean | null;
  readonly byState: Readonly<Record<UptimeState, number>>;
}

export interface UptimeReport {
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly range: { readonly from: number; readonly to: number; readonly evaluatedTo: number; readonly label: string };
  readonly generatedAt: number;
  readonly formula: string;
  readonly siteFigures: GroupReport;
  readonly buildings: readonly GroupReport[];
  readonly kinds: readonly GroupReport[];
  readonly devices: readonly DeviceReport[];
  /** Devices with unplanned downtime, lowest availability first (at most `top`). */
  readonly worst: readonly DeviceReport[];
  readonly fleet: FleetStatus;
}

export const FORMULA =
  'availability = (period − planned maintenance − unplanned downtime) / (period − planned maintenance); ' +
  'comms-lost and gateway-down time count as unplanned downtime where the kind’s policy is "down", ' +
  'and are left out of the period where it is "separate"';

export function targetOf(config: UptimeConfig, device: DeviceInfo): number {
  return config.devices[device.id]?.targetPct ?? kindPolicyOf(config, device.kind).targetPct ?? config.targets.defaultPct;
}

export function commsPolicyOf(config: UptimeConfig, device: DeviceInfo): CommsPolicy {
  return config.devices[device.id]?.comms ?? kindPolicyOf(config, device.kind).comms;
}

export interface ReportInput {
  readonly config: UptimeConfig;
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly devices: readonly DeviceInfo[];
  readonly intervalsOf: (device: string) => readonly LedgerInterval[];
  readonly currentState: (device: string) => UptimeState;
  readonly from: number;
  readonly to: number;
  readonly now: number;
  readonly label: string;
  readonly top: number;
}

function byAvailability(a: DeviceReport, b: DeviceReport): number {
  const av = a.availabilityPct ?? Number.POSITIVE_INFINITY;
  const bv = b.availabilityPct ?? Number.POSITIVE_INFINITY;
  return av - bv || b.unplannedDownMs - a.unplannedDownMs || a.device.localeCompare(b.device);
}

export function buildReport(input: ReportInput): UptimeReport {
  const { config, from, to, now } = input;
  const days = localDays(from, Math.max(from, Math.min(to, now)), input.site.timezone);
  const devices: DeviceReport[] = input.devices.map((d) => {
    const comms = commsPolicyOf(config, d);
    const targetPct = targetOf(config, d);
    const intervals = input.intervalsOf(d.id);
    const figures = deviceFigures(intervals, { from, to, now, comms, targetPct });
    const daysBelowTarget = days === null ? null : days.filter((day) => deviceFigures(intervals, { ...day, now, comms, targetPct }).meetsTarget === false).length;
    return { device: d.id, name: d.name, kind: d.kind, building: d.location.building, floor: d.location.floor, comms, ...figures, daysBelowTarget };
  });
  const evaluatedTo = Math.max(from, Math.min(to, now));
  const group = (kind: GroupReport['group'], key: string, members: DeviceReport[], targetPct: number): GroupReport => ({
    group: kind,
    key,
    devices: members.length,
    devicesBelowTarget: members.filter((m) => m.meetsTarget === false).length,
    ...pooledFigures(members, { from, to, evaluatedTo, targetPct }),
  });
  const keys = (f: (d: DeviceReport) => string): string[] => [...new Set(devices.map(f))].sort();
  const defaultPct = config.targets.defaultPct;
  const worst = [...devices].filter((d) => d.availabilityPct !== null && d.unplannedDownMs > 0).sort(byAvailability).slice(0, input.top);
  return {
    site: input.site,
    range: { from, to, evaluatedTo, label: input.label },
    generatedAt: now,
    formula: FORMULA,
    siteFigures: group('site', input.site.id, devices, defaultPct),
    buildings: keys((d) => d.building).map((b) => group('building', b, devices.filter((d) => d.building === b), defaultPct)),
    kinds: keys((d) => d.kind).map((k) =>
      group('kind', k, devices.filter((d) => d.kind === k), kindPolicyOf(config, k).targetPct ?? defaultPct),
    ),
    devices,
    worst,
    fleet: fleetStatus(input.devices.map((d) => input.currentState(d.id)), config.targets.fleetPct, now),
  };
}

const MAX_DAYS = 400;

/** The local days overlapping [from, to), each clipped to it; null when there are too many. */
function localDays(from: number, to: number, timeZone: string): Array<{ from: number; to: number }> | null {
  const out: Array<{ from: number; to: number }> = [];
  if (to <= from) return out;
  const first = localParts(from, timeZone);
  for (let i = 0; ; i++) {
    if (i >= MAX_DAYS) return null;
    const day = dayRange({ year: first.year, month: first.month, day: first.day + i }, timeZone);
    if (day.from >= to) break;
    out.push({ from: Math.max(from, day.from), to: Math.min(to, day.to) });
  }
  return out;
}

/** "In good order" means in service right now; maintenance, fault and unknown are not. */
export function fleetStatus(states: readonly UptimeState[], targetPct: number, at: number): FleetStatus {
  const byState: Record<UptimeState, number> = { in_service: 0, fault: 0, maintenance: 0, comms_lost: 0, unknown: 0 };
  for (const s of states) byState[s]++;
  const sharePct = states.length > 0 ? (100 * byState.in_service) / states.length : null;
  return {
    at,
    devices: states.length,
    inGoodOrder: byState.in_service,
    sharePct,
    targetPct,
    meetsTarget: sharePct === null ? null : sharePct >= targetPct,
    byState,
  };
}
