/** What the HTTP API (and later the dashboard) may ask of the uptime module. */
import type { ReportLanguage } from './report-labels.ts';
import type { RangeParams, ResolvedRange } from './report-period.ts';
import type { FleetStatus, UptimeReport } from './uptime-report.ts';
import type { LedgerInterval, UptimeState } from './uptime-state.ts';

export interface ReportFilter {
  readonly kind?: string | undefined;
  readonly building?: string | undefined;
  readonly device?: string | undefined;
  /** Worst offenders listed (default 5). */
  readonly top?: number | undefined;
}

export interface DeviceNow {
  readonly device: string;
  readonly state: UptimeState;
  readonly reason: string;
  readonly since: number | null;
}

export interface UptimeFacade {
  /** Resolve from/to or period/date in the site's zone; throws RangeParamError naming the parameter. */
  resolveRange(params: RangeParams): ResolvedRange;
  report(range: ResolvedRange, filter?: ReportFilter): UptimeReport;
  csv(report: UptimeReport): string;
  html(report: UptimeReport, lang: ReportLanguage): string;
  hasDevice(id: string): boolean;
  /** The device's ledger rows overlapping [from, to) (open interval: end null). */
  intervals(device: string, from: number, to: number): LedgerInterval[];
  fleet(): FleetStatus;
  states(): DeviceNow[];
  /** Names of the generated monthly report files. */
  monthlyReports(): string[];
}
