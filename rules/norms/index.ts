/**
 * The property-management service norms, run by the product (rules/norms/README.md): the
 * working-day calendar, resident requests and complaints, inspection rounds and fire drills, and
 * the monthly norms report. The composition root starts it with one call.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import { openSqlite } from '../../gateway/platform/sqlite-file.ts';
import type { WorkOrder, WorkOrderService } from '../work-orders/index.ts';
import { InspectionService, loadQrKey, QrSigner } from './inspections/index.ts';
import { createNormsTables } from './norms-db.ts';
import { buildNormsReport, DEFAULT_TARGETS, NormsReportJob, type AvailabilityInput, type NormsReport, type NormsSources, type Range, type Targets, type YearMonth } from './norms-report/index.ts';
import type { NormsConfig } from './norms-schema.ts';
import { ResidentService } from './resident-requests/index.ts';
import { AssetStore, deviceHistory, LedgerError, type AlarmSummary, type DeviceHistory } from './ledger/index.ts';
import { SHIPPED_YEARS, WorkingDayCalendar } from './working-days/index.ts';

export { normsConfigIssues } from './norms-check.ts';
export { normsSchema, REQUEST_CATEGORIES, ROUND_KINDS, type NormsConfig, type RequestCategory } from './norms-schema.ts';
export { WorkingDayCalendar, CalendarError } from './working-days/index.ts';
export { ResidentService, IntakeError, maskName, maskPhone, type ResidentProgress, type ResidentRequest, type Submission } from './resident-requests/index.ts';
export { InspectionService, InspectionError, QrSigner, onTime, type ItemInput, type ItemResult, type Round } from './inspections/index.ts';
export { ASSET_FIELDS, AssetStore, LedgerError, parseLedgerCsv, historyHtml, ledgerCsv, ledgerRow, LEDGER_COLUMNS, safeCell, MAX_ATTACHMENT, type Asset, type AssetInput, type AlarmSummary, type DeviceHistory } from './ledger/index.ts';
export { NORM_IDS, NORM_LABELS, NORMS_LANGUAGES, computeNorms, normsCsv, normsHtml, type NormsLanguage, type NormsReport, type AvailabilityInput } from './norms-report/index.ts';

export interface StartNormsOptions {
  readonly config: NormsConfig;
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly buildings: readonly string[];
  readonly devices: readonly DeviceInfo[];
  /** data/gateway.db */
  readonly dbFile: string;
  /** data/reports */
  readonly reportsDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Work orders (resident requests and failed inspection items become orders); absent: no intake. */
  readonly workOrders: WorkOrderService | undefined;
  /** Availability per device and for the site over a range (the uptime module); absent: no data. */
  readonly availability?: ((range: Range) => AvailabilityInput | null) | undefined;
  /** A device's alarms raised in [from, to) (the alarm service); absent: none shown. */
  readonly alarms?: ((device: string, from: number, to: number) => AlarmSummary[]) | undefined;
}

export interface NormsService {
  readonly calendar: WorkingDayCalendar;
  readonly residents: ResidentService | undefined;
  readonly inspections: InspectionService;
  readonly qr: QrSigner;
  readonly targets: Targets;
  readonly devices: readonly DeviceInfo[];
  /** The equipment ledger's records, attachments and order costs. */
  readonly assets: AssetStore;
  /** The contractor an order is assigned to (null: none or unknown order). */
  contractorOf(orderId: number): string | null;
  /** A device's history (throws LedgerError not_found for an unknown device). */
  history(device: string): DeviceHistory;
  /** The report of a month (figures as of now). */
  report(ym: YearMonth): NormsReport;
  /** Generated monthly report files. */
  monthlyFiles(): string[];
  readonly reportsDir: string;
  stop(): void;
}

const NO_LIMIT = 1_000_000;

export function startNorms(o: StartNormsOptions): NormsService {
  const db = openSqlite(o.dbFile);
  createNormsTables(db);
  const calendar = new WorkingDayCalendar({ ...SHIPPED_YEARS, ...o.config.calendar.years }, o.site.timezone);
  const wo = o.workOrders;
  const residents = wo
    ? new ResidentService({
        db,
        config: o.config.residents,
        calendar,
        buildings: o.buildings,
        clock: o.clock,
        log: o.log.child({ part: 'residents' }),
        orders: { create: (input, actor) => wo.create(input, actor), get: (id) => wo.get(id) },
      })
    : undefined;
  const qr = new QrSigner(loadQrKey(db));
  const inspections = new InspectionService({
    db,
    routes: o.config.inspections.routes,
    devices: o.devices,
    clock: o.clock,
    timeZone: o.site.timezone,
    qr,
    orders: wo ? { create: (input, actor) => wo.create(input, actor) } : undefined,
    log: o.log.child({ part: 'inspections' }),
  });
  const sources = normsSources(o, db, residents, inspections);
  const targets: Targets = { ...DEFAULT_TARGETS, ...o.config.report.targets };
  const report = (ym: YearMonth): NormsReport => buildNormsReport(sources, { site: o.site, targets, now: o.clock.now(), top: o.config.report.top }, ym);
  const job = new NormsReportJob({
    clock: o.clock,
    log: o.log.child({ part: 'norms-report' }),
    timeZone: o.site.timezone,
    dir: o.reportsDir,
    after: o.config.report.after,
    retentionYears: o.config.report.retentionYears,
    build: report,
    since: firstStart(db, o.clock.now()),
  });
  inspections.start();
  if (o.config.report.enabled) job.start();
  const eraser = eraseContactsDaily(o, residents);
  const assets = new AssetStore(db);
  const history = historyOf(o, assets, inspections);
  return {
    calendar,
    devices: o.devices,
    contractorOf: (orderId) => {
      try {
        return wo?.get(orderId).contractor ?? null;
      } catch {
        return null;
      }
    },
    assets,
    history,
    residents,
    inspections,
    qr,
    targets,
    report,
    monthlyFiles: () => job.files(),
    reportsDir: o.reportsDir,
    stop: () => {
      eraser.cancel();
      job.stop();
      inspections.stop();
      db.close();
    },
  };
}

/** When the norms module first ran on this database (kept in norms_secret). */
function firstStart(db: ReturnType<typeof openSqlite>, now: number): number {
  db.prepare("INSERT OR IGNORE INTO norms_secret (name, value) VALUES ('first-start', ?)").run(String(now));
  return Number((db.prepare("SELECT value FROM norms_secret WHERE name = 'first-start'").get() as { value: string }).value);
}

export const normsFiles = (dataDir: string): { dbFile: string; reportsDir: string } => ({ dbFile: join(dataDir, 'gateway.db'), reportsDir: join(dataDir, 'reports') });

/** Where the report's figures come from: work orders, resident requests, ratings, rounds, availability. */
function normsSources(o: StartNormsOptions, db: ReturnType<typeof openSqlite>, residents: ResidentService | undefined, inspections: InspectionService): NormsSources {
  const wo = o.workOrders;
  const titles = new Map(o.config.inspections.routes.map((r) => [r.id, r.title]));
  const ordersIn = (r: Range): WorkOrder[] => (wo ? wo.list({ createdFrom: r.from, createdTo: r.to - 1, limit: NO_LIMIT }) : []);
  return {
    availability: (r) => o.availability?.(r) ?? null,
    orders: ordersIn,
    requests: (r) => {
      if (!residents || !wo) return [];
      return residents.list({ from: r.from, to: r.to, limit: NO_LIMIT }, 'masked').map((request) => ({ request, order: wo.get(request.orderId) }));
    },
    ratings: (r) => (db.prepare('SELECT rating FROM resident_request WHERE rated_at >= ? AND rated_at < ? AND rating IS NOT NULL').all(r.from, r.to) as Array<{ rating: number }>).map((x) => x.rating),
    rounds: (r) => inspections.rounds(r.from, r.to).map((x) => ({ ...x, title: titles.get(x.route) ?? x.route })),
    failedItems: (r) => db.prepare("SELECT device FROM inspection_result WHERE result = 'fail' AND at >= ? AND at < ?").all(r.from, r.to) as Array<{ device: string }>,
  };
}

/** A device's history page from the ledger, the alarms, the orders, the rounds and the availability. */
function historyOf(o: StartNormsOptions, assets: AssetStore, inspections: InspectionService): (id: string) => DeviceHistory {
  const wo = o.workOrders;
  return (id: string): DeviceHistory => {
    const device = o.devices.find((d) => d.id === id);
    if (!device) throw new LedgerError('not_found', `device: no device "${id}"`);
    return deviceHistory(
      device,
      {
        asset: (d) => assets.get(d),
        attachments: (d) => assets.attachments(d),
        alarms: (d, from, to) => o.alarms?.(d, from, to) ?? [],
        orders: (d) => (wo ? wo.list({ device: d, limit: NO_LIMIT }) : []),
        cost: (orderId) => assets.cost(orderId),
        inspections: (d, from, to) => inspections.deviceResults(d, from, to),
        availability: (r) => o.availability?.(r) ?? null,
      },
      o.clock.now(),
      o.site.timezone,
    );
  };
}

/** Personal data: contact details erased past their retention, checked at start and daily. */
function eraseContactsDaily(o: StartNormsOptions, residents: ResidentService | undefined): { cancel(): void } {
  const erase = (): void => {
    try {
      residents?.eraseExpiredContacts();
    } catch (err) {
      o.log.error({ err }, 'erasing resident contacts past retention failed');
    }
  };
  erase();
  return o.clock.setInterval(86_400_000, erase);
}
