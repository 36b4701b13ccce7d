/**
 * Equipment uptime: reports (JSON, CSV, printable HTML) per device, kind, building and site for a
 * day, week, month or any range; each device's ledger; the fleet now; the monthly report files.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { kindName } from '../../model/kinds/kind-name.ts';
import { fleetStatus, PERIODS, RangeParamError, REPORT_LANGUAGES } from '../../../rules/index.ts';
import type { RangeParams, ResolvedRange, UptimeFacade } from '../../../rules/uptime/index.ts';
import { ApiError } from '../api-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ACCESS } from '../route-access.ts';
import { requireWholeSite, scopeOf } from '../building-scope.ts';
import { queryTime } from './query-time.ts';

/** Operators and engineers (and admins) read uptime; contractors do not see the site's contract figures. */
const READERS = { access: ACCESS.staff };

const rangeQuery = {
  from: queryTime.optional(),
  to: queryTime.optional(),
  period: z.enum(PERIODS).optional().meta({ description: 'Calendar period in the site time zone (with `date`)' }),
  date: z.string().optional().meta({ description: 'YYYY-MM-DD (or YYYY-MM for a month); default today', example: '2026-11' }),
};

function resolve(uptime: UptimeFacade, q: RangeParams): ResolvedRange {
  try {
    return uptime.resolveRange(q);
  } catch (err) {
    if (err instanceof RangeParamError) throw new ApiError('BAD_REQUEST', err.message, { param: err.param });
    throw err;
  }
}

export function uptimeRoutes(uptime: UptimeFacade, deps: Pick<ApiDeps, 'devices'>): FastifyPluginAsyncZod {
  const deviceBuilding = (id: string): string | undefined => deps.devices().find((d) => d.id === id)?.location.building;
  return async (app) => {
    registerReportRoute(app, uptime, deps, deviceBuilding);
    registerLedgerRoutes(app, uptime, deviceBuilding);
  };
}

type UptimeApp = Parameters<FastifyPluginAsyncZod>[0];

/** `GET /api/uptime/report`: JSON, CSV or printable HTML for a range. */
function registerReportRoute(app: UptimeApp, uptime: UptimeFacade, deps: Pick<ApiDeps, 'devices'>, deviceBuilding: (id: string) => string | undefined): void {
  app.get(
    '/api/uptime/report',
    {
      // the printable report (format=html) carries its own <style>
      config: { ...READERS, inlineStyles: true },
      schema: {
        summary: 'Availability, downtime, faults, MTBF, MTTR and time below target per device, kind, building and site',
        description: 'Give `from`/`to`, or `period` (day, week, month) with `date`; default: this month so far. `format=csv|html` for export and printing.',
        tags: ['uptime'],
        querystring: z.object({
          ...rangeQuery,
          kind: kindName.optional(),
          building: z.string().optional(),
          device: z.string().optional(),
          top: z.coerce.number().int().min(1).max(100).optional(),
          format: z.enum(['json', 'csv', 'html']).default('json'),
          lang: z.enum(REPORT_LANGUAGES).default('zh-CN'),
        }),
      },
    },
    async (req, reply) => {
      const scope = scopeOf(req);
      // an account limited to buildings gets the report of one of its buildings (its only one by default)
      const only = scope.buildings.size === 1 ? [...scope.buildings][0] : undefined;
      const q = { ...req.query, building: req.query.building ?? (scope.all ? undefined : only) };
      if (!scope.all && (q.building === undefined || !scope.has(q.building))) {
        throw new ApiError('BAD_REQUEST', `building: choose one of ${[...scope.buildings].join(', ')}`, { param: 'building' });
      }
      if (!scope.all && q.device !== undefined && !scope.has(deviceBuilding(q.device))) throw new ApiError('BAD_REQUEST', `device: no device "${q.device}"`, { param: 'device' });
      const range = resolve(uptime, q);
      if (q.building !== undefined && !deps.devices().some((d) => d.location.building === q.building)) {
        throw new ApiError('BAD_REQUEST', `building: no devices in building "${q.building}"`, { param: 'building' });
      }
      if (q.device !== undefined && !uptime.hasDevice(q.device)) {
        throw new ApiError('BAD_REQUEST', `device: no device "${q.device}"`, { param: 'device' });
      }
      const report = uptime.report(range, { kind: q.kind, building: q.building, device: q.device, top: q.top });
      const base = `uptime-${range.label.replace(/[^0-9A-Za-z-]+/g, '_')}`;
      if (q.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${base}.csv"`)
          .send(`\uFEFF${uptime.csv(report)}`);
      }
      if (q.format === 'html') return reply.type('text/html; charset=utf-8').send(uptime.html(report, q.lang));
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(report));
    },
  );
}

/** A device's ledger intervals, the fleet now, the monthly report files. */
function registerLedgerRoutes(app: UptimeApp, uptime: UptimeFacade, deviceBuilding: (id: string) => string | undefined): void {
  app.get(
    '/api/uptime/devices/:id/intervals',
    {
      config: READERS,
      schema: {
        summary: "One device's ledger of state intervals (the audit trail behind the figures)",
        tags: ['uptime'],
        params: z.object({ id: z.string() }),
        querystring: z.object(rangeQuery),
        response: {
          200: z.object({
            device: z.string(),
            from: z.number(),
            to: z.number(),
            intervals: z.array(z.object({ state: z.string(), reason: z.string(), start: z.number(), end: z.number().nullable() })),
          }),
        },
      },
    },
    async (req) => {
      if (!uptime.hasDevice(req.params.id) || !scopeOf(req).has(deviceBuilding(req.params.id))) throw new ApiError('NOT_FOUND', `no device "${req.params.id}"`);
      const range = resolve(uptime, req.query);
      const intervals = uptime.intervals(req.params.id, range.from, range.to).map((iv) => ({ state: iv.state, reason: iv.reason, start: iv.start, end: iv.end }));
      return { device: req.params.id, from: range.from, to: range.to, intervals };
    },
  );

  app.get(
    '/api/uptime/fleet',
    {
      config: READERS,
      schema: {
        summary: 'Share of devices in good order right now against the fleet target, and each device’s state',
        tags: ['uptime'],
        response: {
          200: z.object({
            fleet: z.looseObject({ sharePct: z.number().nullable(), targetPct: z.number() }),
            devices: z.array(z.object({ device: z.string(), state: z.string(), reason: z.string(), since: z.number().nullable() })),
          }),
        },
      },
    },
    async (req) => {
      const scope = scopeOf(req);
      if (scope.all) return { fleet: { ...uptime.fleet() }, devices: uptime.states() };
      // the share of this account's buildings only
      const site = uptime.fleet();
      const devices = uptime.states().filter((d) => scope.has(deviceBuilding(d.device)));
      return { fleet: { ...fleetStatus(devices.map((d) => d.state), site.targetPct, site.at) }, devices };
    },
  );

  app.get(
    '/api/uptime/monthly',
    {
      config: READERS,
      schema: {
        summary: 'Monthly report files generated into <dataDir>/reports',
        tags: ['uptime'],
        response: { 200: z.object({ files: z.array(z.string()) }) },
      },
    },
    async (req) => {
      requireWholeSite(req, 'the monthly site reports');
      return { files: uptime.monthlyReports() };
    },
  );
}
