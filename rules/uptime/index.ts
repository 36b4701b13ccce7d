/** Public entry of the uptime module (the gateway and the API import from here only). */
export { startUptime, uptimeFiles, retentionCutoff, type UptimeService, type UptimeServiceOptions, type SampleSource } from './uptime-service.ts';
export type { UptimeFacade, ReportFilter, DeviceNow } from './uptime-facade.ts';
export type { UptimeStateInputs } from './state-inputs.ts';
export { UnknownDeviceError } from './state-inputs.ts';
export { uptimeSchema, uptimeReferenceIssues, type UptimeConfig, type UptimeConfigInput } from './uptime-schema.ts';
export { RangeParamError, PERIODS, type Period, type RangeParams, type ResolvedRange } from './report-period.ts';
export { REPORT_LANGUAGES, type ReportLanguage } from './report-labels.ts';
export type { UptimeReport, DeviceReport, GroupReport, FleetStatus } from './uptime-report.ts';
export { fleetStatus } from './uptime-report.ts';
export { UPTIME_STATES, type UptimeState, type LedgerInterval } from './uptime-state.ts';
