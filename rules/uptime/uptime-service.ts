/**
 * The uptime module assembled: ledger (data/gateway.db), state tracker fed by the sample bus,
 * heartbeat, retention pruning and the monthly report job, all on the injected Clock.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import type { Sample, SampleSink } from '../../gateway/model/sample.ts';
import { DeviceStateTracker, type TrackedDevice } from './device-state-tracker.ts';
import { MonthlyReportJob } from './monthly-report-job.ts';
import { resolveRange, type ResolvedRange } from './report-period.ts';
import { reportCsv, reportHtml } from './report-render.ts';
import type { UptimeStateInputs } from './state-inputs.ts';
import type { ReportFilter, UptimeFacade } from './uptime-facade.ts';
import { WriteHealth } from '../../gateway/platform/write-health.ts';
import { UptimeLedger } from './uptime-ledger.ts';
import { buildReport, fleetStatus, type UptimeReport } from './uptime-report.ts';
import type { UptimeConfig } from './uptime-schema.ts';

export interface UptimeServiceOptions {
  readonly config: UptimeConfig;
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly devices: readonly TrackedDevice[];
  readonly clock: Clock;
  readonly log: Logger;
  /** The SQLite file (the gateway uses <dataDir>/gateway.db). */
  readonly dbFile: string;
  /** Where monthly reports go (the gateway uses <dataDir>/reports). */
  readonly reportsDir: string;
}

/** Something samples can be subscribed from (the SampleBus). */
export interface SampleSource {
  subscribe(name: string, handler: (batch: readonly Sample[]) => void): { unsubscribe(): void };
}

export interface UptimeService extends SampleSink {
  readonly inputs: UptimeStateInputs;
  readonly facade: UptimeFacade;
  readonly ledger: UptimeLedger;
  readonly monthly: MonthlyReportJob;
  /** Subscribe to a sample source as `uptime`. */
  attach(source: SampleSource): void;
  /** Delete ledger rows and report files older than the retention; returns rows removed. */
  prune(): number;
  /** Record a final heartbeat and close the ledger. */
  stop(): void;
}

/** The instant `years` calendar years before `now` (UTC calendar). */
export function retentionCutoff(now: number, years: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.getTime();
}

/** A report over a range, for the devices the filter keeps. */
function reportBuilder(o: UptimeServiceOptions, ledger: UptimeLedger, tracker: DeviceStateTracker): (range: ResolvedRange, filter?: ReportFilter) => UptimeReport {
  const { config, clock } = o;
  const infos = o.devices.map((d) => d.info);
  return (range: ResolvedRange, filter: ReportFilter = {}): UptimeReport => {
    const devices = infos.filter(
      (d) =>
        (filter.kind === undefined || d.kind === filter.kind) &&
        (filter.building === undefined || d.location.building === filter.building) &&
        (filter.device === undefined || d.id === filter.device),
    );
    return buildReport({
      config,
      site: o.site,
      devices,
      intervalsOf: (id) => ledger.intervals(id, range.from, range.to),
      currentState: (id) => tracker.state(id),
      from: range.from,
      to: range.to,
      now: clock.now(),
      label: range.label,
      top: filter.top ?? config.monthlyReport.top,
    });
  };
}

interface UptimeParts {
  readonly ledger: UptimeLedger;
  readonly tracker: DeviceStateTracker;
  readonly monthly: MonthlyReportJob;
  readonly report: (range: ResolvedRange, filter?: ReportFilter) => UptimeReport;
}

/** What the API reads of uptime. */
function uptimeFacade(o: UptimeServiceOptions, { ledger, tracker, monthly, report }: UptimeParts): UptimeFacade {
  const { config, clock } = o;
  const infos = o.devices.map((d) => d.info);
  return {
    resolveRange: (params) => resolveRange(params, o.site.timezone, clock.now()),
    report,
    csv: reportCsv,
    html: reportHtml,
    hasDevice: (id) => tracker.has(id),
    intervals: (device, from, to) => ledger.intervals(device, from, to).filter((iv) => iv.start < to && (iv.end === null || iv.end > from)),
    fleet: () => fleetStatus(infos.map((d) => tracker.state(d.id)), config.targets.fleetPct, clock.now()),
    states: () =>
      infos.map((d) => {
        const cur = tracker.current(d.id);
        return { device: d.id, state: cur?.state ?? 'unknown', reason: cur?.reason ?? '', since: cur?.start ?? null };
      }),
    monthlyReports: () => monthly.files(),
  };
}

export function startUptime(o: UptimeServiceOptions): UptimeService {
  const { config, clock, log } = o;
  const ledger = new UptimeLedger(o.dbFile);
  const tracker = new DeviceStateTracker({ config, devices: o.devices, clock, ledger, log });
  tracker.start();
  const timers: Timer[] = [];
  const subscriptions: Array<{ unsubscribe(): void }> = [];

  const report = reportBuilder(o, ledger, tracker);

  const monthly = new MonthlyReportJob({
    clock,
    log,
    timeZone: o.site.timezone,
    dir: o.reportsDir,
    after: config.monthlyReport.after,
    formats: config.monthlyReport.formats,
    languages: config.monthlyReport.languages,
    build: (range) => report(range),
    hasRecordsBefore: (t) => ledger.hasRecordsBefore(t),
  });

  const prune = (): number => {
    const cutoff = retentionCutoff(clock.now(), config.retentionYears);
    const rows = ledger.prune(cutoff);
    const files = monthly.prune(cutoff);
    if (rows > 0 || files > 0) log.info({ rows, files, cutoff: new Date(cutoff).toISOString() }, 'uptime records past retention pruned');
    return rows;
  };

  // a failing ledger (disk full) is logged once per state change, not once per sample batch
  const health = new WriteHealth(log, 'gateway.db (uptime ledger)');
  const guarded = (what: string, fn: () => unknown) => () => {
    try {
      fn();
      health.ok();
    } catch (err) {
      health.failed(err, what);
    }
  };
  const push = (batch: readonly Sample[]): void => guarded('state change', () => tracker.push(batch))();
  timers.push(clock.setInterval(config.heartbeatEvery, guarded('heartbeat', () => ledger.heartbeat(clock.now()))));
  timers.push(clock.setInterval(config.pruneEvery, guarded('retention pruning', prune)));
  prune();
  if (config.monthlyReport.enabled) monthly.start();

  const facade = uptimeFacade(o, { ledger, tracker, monthly, report });

  let stopped = false;
  return {
    inputs: tracker,
    facade,
    ledger,
    monthly,
    push,
    attach: (source) => {
      subscriptions.push(source.subscribe('uptime', (batch) => push(batch)));
    },
    prune,
    stop: () => {
      if (stopped) return;
      stopped = true;
      for (const s of subscriptions) s.unsubscribe();
      for (const t of timers) t.cancel();
      monthly.stop();
      tracker.stop();
      ledger.heartbeat(clock.now());
      ledger.close();
    },
  };
}

export function uptimeFiles(dataDir: string): { dbFile: string; reportsDir: string } {
  return { dbFile: join(dataDir, 'gateway.db'), reportsDir: join(dataDir, 'reports') };
}
