/** Uptime report types as the API returns them, and the query strings of the page's ranges. */

export interface Figures {
  from: number;
  to: number;
  /** Evaluated part of the range and the time the device(s) were actually observed in it (coverage). */
  spanMs: number;
  observedMs: number;
  monitoredFrom: number | null;
  availabilityPct: number | null;
  targetPct: number;
  meetsTarget: boolean | null;
  downtimeMinutes: number;
  faults: number;
  mtbfMs: number | null;
  mttrMs: number | null;
}

export interface DeviceReport extends Figures {
  device: string;
  name: string;
  kind: string;
  building: string;
  floor: string;
  daysBelowTarget: number | null;
}

export interface GroupReport extends Figures {
  group: 'site' | 'building' | 'kind';
  key: string;
  devices: number;
  devicesBelowTarget: number;
}

export interface UptimeReport {
  site: { id: string; name: string; timezone: string };
  range: { from: number; to: number; evaluatedTo: number; label: string };
  generatedAt: number;
  formula: string;
  siteFigures: GroupReport;
  buildings: GroupReport[];
  kinds: GroupReport[];
  devices: DeviceReport[];
  worst: DeviceReport[];
  fleet: { at: number; devices: number; inGoodOrder: number; sharePct: number | null; targetPct: number; meetsTarget: boolean | null };
}

export const UPTIME_RANGES = ['thisMonth', 'today', 'thisWeek', 'last30d'] as const;
export type UptimeRange = (typeof UPTIME_RANGES)[number];

export function rangeQuery(range: UptimeRange, now: number): string {
  switch (range) {
    case 'today':
      return 'period=day';
    case 'thisWeek':
      return 'period=week';
    case 'last30d':
      return `from=${now - 30 * 86_400_000}&to=${now}`;
    default:
      return 'period=month';
  }
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** The last `n` local calendar days up to today, oldest first, as `YYYY-MM-DD` (distinct). */
export function lastDays(n: number, now: number, timeZone: string): string[] {
  const days: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = localDate(now - i * 86_400_000, timeZone);
    if (!days.includes(d)) days.push(d);
  }
  return days;
}

export function pct(v: number | null): string {
  return v === null ? '—' : `${v.toFixed(2)}%`;
}
