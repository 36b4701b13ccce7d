/**
 * Staff side of the norms module: resident requests (contacts masked unless the role has the
 * residents-data permission; export with contacts for admins only), inspection rounds (check-in by
 * a device's QR signature, results), the QR labels, the working-day calendar and the norms report.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { InspectionError, NORMS_LANGUAGES, normsCsv, normsHtml, type NormsService } from '../../../rules/index.ts';
import type { Role } from '../../auth/account-schema.ts';
import type { AuditLog } from '../../auth/audit-log.ts';
import { localMonthOf, monthRange, parseLocalDate, parseLocalMonth } from '../../platform/zoned-time.ts';
import { userOf } from '../access-control.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';
import { intakeError } from './resident-routes.ts';

/** Who records rounds on the phone: patrols (operator accounts), contractors, admins. */
const PATROL = { access: ['operator', 'contractor', 'admin'] } as const;
const STAFF = { access: ACCESS.staff };

function inspectionError(err: unknown): unknown {
  if (!(err instanceof InspectionError)) return intakeError(err);
  const code = ({ not_found: 'NOT_FOUND', bad_request: 'BAD_REQUEST', forbidden: 'FORBIDDEN', conflict: 'CONFLICT' } as const)[err.code];
  return new ApiError(code, err.message, err.field ? { field: err.field } : undefined);
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw inspectionError(err);
  }
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const photo = z.object({ type: z.string().max(40), base64: z.string().max(3_000_000) });

export interface NormsRouteOptions {
  readonly audit: AuditLog;
  /** Roles that see residents' contact details in clear (privacy.residentsDataRoles). */
  readonly residentsDataRoles: readonly Role[];
  readonly timeZone: string;
  /** The gateway's clock (a VirtualClock in tests). */
  readonly now: () => number;
}

/** The fastify instance a zod-typed plugin receives. */
type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

export function normsRoutes(norms: NormsService, o: NormsRouteOptions): FastifyPluginAsyncZod {
  return async (app) => {
    const residents = norms.residents;
    if (residents) {
      residentListRoutes(app, norms, residents, o);
      residentExportRoutes(app, residents, o);
    }
    inspectionRoutes(app, norms, o);
    labelRoutes(app, norms);
    reportRoutes(app, norms, o);
  };
}

/** Resident requests for staff and for the contractor of each order (contacts masked unless allowed). */
function residentListRoutes(app: ZodApp, norms: NormsService, residents: NonNullable<NormsService['residents']>, o: NormsRouteOptions): void {
  app.get(
    '/api/norms/resident-requests',
    {
      config: { access: [...ACCESS.staff, 'contractor'] },
      schema: { summary: 'Resident requests (contacts masked unless your role may read residents data)', tags: ['norms'], querystring: z.object({ month: z.string().optional(), building: z.string().optional() }) },
    },
    async (req) => {
      const user = userOf(req);
      const ym = req.query.month === undefined ? undefined : parseLocalMonth(req.query.month);
      if (req.query.month !== undefined && !ym) throw new ApiError('BAD_REQUEST', `month: expected YYYY-MM, got "${req.query.month}"`);
      const range = ym ? monthRange(ym.year, ym.month, o.timeZone) : {};
      const clear = user.role !== 'contractor' && o.residentsDataRoles.includes(user.role);
      const all = residents.list({ ...range, building: req.query.building }, clear ? 'clear' : 'masked');
      // a contractor sees only the requests of its own orders
      const list = user.role === 'contractor' ? all.filter((r) => norms.contractorOf(r.orderId) === user.contractor) : all;
      // the secret of the resident's progress link is the resident's, not the staff's
      return { requests: list.map(({ publicId: _p, ...r }) => r) };
    },
  );

  app.get(
    '/api/norms/resident-requests/by-order/:id',
    {
      config: { access: [...ACCESS.staff, 'contractor'] },
      schema: { summary: "The resident request behind a work order (contacts masked unless your role may read residents data)", tags: ['norms'], params: z.object({ id: z.coerce.number().int().positive() }) },
    },
    async (req) => {
      const user = userOf(req);
      if (user.role === 'contractor' && norms.contractorOf(req.params.id) !== user.contractor) throw new ApiError('NOT_FOUND', `work order ${req.params.id}: no resident request`);
      const clear = user.role !== 'contractor' && o.residentsDataRoles.includes(user.role);
      const r = residents.forOrder(req.params.id, clear ? 'clear' : 'masked');
      if (!r) throw new ApiError('NOT_FOUND', `work order ${req.params.id}: no resident request`);
      const { publicId: _p, ...view } = r;
      return view;
    },
  );

}

/** The admin-only export of requests with contacts, and a request's photo. */
function residentExportRoutes(app: ZodApp, residents: NonNullable<NormsService['residents']>, o: NormsRouteOptions): void {
  app.get(
    '/api/norms/resident-requests/export',
    { config: { access: ACCESS.admin }, schema: { summary: 'CSV of resident requests with contact details (admins; audited)', tags: ['norms'] } },
    async (req, reply) => {
      const user = userOf(req);
      const rows = residents.list({}, 'clear');
      o.audit.record({ username: user.username, role: user.role, address: req.ip, action: 'resident.contacts.exported', detail: { rows: rows.length } });
      const head = ['id', 'created_at', 'building', 'category', 'place', 'description', 'contact_name', 'contact_phone', 'contact_erased_at', 'order_id', 'rating', 'rating_comment'];
      const lines = rows.map((r) => [r.id, new Date(r.createdAt).toISOString(), r.building, r.category, r.place, r.description, r.contactName, r.contactPhone, r.contactErasedAt === null ? '' : new Date(r.contactErasedAt).toISOString(), r.orderId, r.rating, r.ratingComment].map(csvCell).join(','));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="resident-requests.csv"').send(`\uFEFF${[head.join(','), ...lines].join('\r\n')}\r\n`);
    },
  );

  app.get(
    '/api/norms/resident-requests/:id/photo',
    { config: STAFF, schema: { summary: "A request's photo", tags: ['norms'], params: z.object({ id: z.coerce.number().int().positive() }) } },
    async (req, reply) => {
      const p = residents.photo(req.params.id);
      if (!p) throw new ApiError('NOT_FOUND', `request ${req.params.id}: no photo`);
      return reply.type(p.type).header('x-content-type-options', 'nosniff').send(p.data);
    },
  );
}

/** Routes, rounds, the QR check-in and the recording of results. */
function inspectionRoutes(app: ZodApp, norms: NormsService, o: NormsRouteOptions): void {
  app.get('/api/norms/routes', { config: { access: ACCESS.anyUser }, schema: { summary: 'Inspection routes and their checklists', tags: ['norms'] } }, async () => ({ routes: norms.inspections.routeList() }));

  app.get(
    '/api/norms/rounds',
    { config: STAFF, schema: { summary: 'Inspection rounds due in a month (default: this month)', tags: ['norms'], querystring: z.object({ month: z.string().optional() }) } },
    async (req) => {
      const ym = req.query.month === undefined ? localMonthOf(o.now(), o.timeZone) : parseLocalMonth(req.query.month);
      if (!ym) throw new ApiError('BAD_REQUEST', `month: expected YYYY-MM, got "${String(req.query.month)}"`);
      const r = monthRange(ym.year, ym.month, o.timeZone);
      return { rounds: norms.inspections.rounds(r.from, r.to) };
    },
  );

  app.get(
    '/api/norms/checkin/:device/:sig',
    { config: PATROL, schema: { summary: "Check in at a device by its QR link: the open rounds visiting it", tags: ['norms'], params: z.object({ device: z.string().max(200), sig: z.string().max(100) }) } },
    async (req) => ({ device: req.params.device, rounds: call(() => norms.inspections.checkIn(req.params.device, req.params.sig)) }),
  );

  app.post(
    '/api/norms/rounds/:id/devices/:device',
    {
      bodyLimit: 8 * 1024 * 1024,
      config: { ...PATROL, audit: 'self' },
      schema: {
        summary: "Record a device's checklist items in a round (pass/fail/reading, optional photo); a failed item opens a work order",
        tags: ['norms'],
        params: z.object({ id: z.coerce.number().int().positive(), device: z.string().max(200) }),
        body: z.object({
          sig: z.string().max(100),
          attendance: z.number().int().min(0).optional(),
          items: z.array(z.object({ item: z.string().max(100), result: z.enum(['pass', 'fail']).optional(), reading: z.number().optional(), note: z.string().max(2000).optional(), photo: photo.optional() })).min(1).max(100),
        }),
      },
    },
    async (req) => {
      const user = userOf(req);
      const by = user.role === 'contractor' ? { type: 'contractor' as const, id: user.contractor ?? user.username } : { type: 'operator' as const, id: user.username };
      const out = call(() => norms.inspections.record(req.params.id, req.params.device, req.body.sig, req.body.items, by, req.body.attendance));
      o.audit.record({
        username: user.username,
        role: user.role,
        address: req.ip,
        via: user.via,
        action: 'inspection.recorded',
        target: String(req.params.id),
        detail: { device: req.params.device, items: req.body.items.map((i) => ({ item: i.item, result: i.result, reading: i.reading })), attendance: req.body.attendance },
      });
      return out;
    },
  );

}

/** An item's photo, a device's QR label and the printable sheet of labels. */
function labelRoutes(app: ZodApp, norms: NormsService): void {
  app.get(
    '/api/norms/rounds/:id/devices/:device/items/:item/photo',
    { config: STAFF, schema: { summary: "The photo taken with an inspection item", tags: ['norms'], params: z.object({ id: z.coerce.number().int().positive(), device: z.string().max(200), item: z.string().max(100) }) } },
    async (req, reply) => {
      const p = norms.inspections.photo(req.params.id, req.params.device, req.params.item);
      if (!p) throw new ApiError('NOT_FOUND', `round ${req.params.id} / ${req.params.device} / ${req.params.item}: no photo`);
      return reply.type(p.type).header('x-content-type-options', 'nosniff').send(p.data);
    },
  );

  app.get(
    '/api/norms/qr/:device',
    { config: STAFF, schema: { summary: "A device's check-in QR code (SVG) to print on its label", tags: ['norms'], params: z.object({ device: z.string().max(200) }) } },
    async (req, reply) => {
      if (!norms.inspections.hasDevice(req.params.device)) throw new ApiError('NOT_FOUND', `device: no device "${req.params.device}"`);
      const url = `${req.protocol}://${req.host}${norms.qr.path(req.params.device)}`;
      const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.type('image/svg+xml').header('x-checkin-url', url).send(svg);
    },
  );

  app.get(
    '/api/norms/qr-labels',
    {
      config: { ...STAFF, inlineStyles: true },
      schema: { summary: 'A printable sheet of check-in QR labels, one per device (optionally of one building)', tags: ['norms'], querystring: z.object({ building: z.string().max(100).optional() }) },
    },
    async (req, reply) => {
      const devices = norms.devices.filter((d) => req.query.building === undefined || d.location.building === req.query.building);
      const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
      const labels = await Promise.all(
        devices.map(async (d) => {
          const svg = await QRCode.toString(`${req.protocol}://${req.host}${norms.qr.path(d.id)}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
          return `<figure class="label" data-device="${esc(d.id)}">${svg}<figcaption>${esc(d.name)}<br><code>${esc(d.id)}</code> · ${esc(d.location.building)} ${esc(d.location.floor)}</figcaption></figure>`;
        }),
      );
      const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>巡检二维码 QR labels</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:1em}.sheet{display:grid;grid-template-columns:repeat(auto-fill,52mm);gap:4mm}.label{border:1px dashed #999;margin:0;padding:2mm;text-align:center;break-inside:avoid}.label svg{width:44mm;height:44mm}figcaption{font-size:9pt}</style>
</head><body><h1>巡检签到二维码 Inspection check-in labels</h1><div class="sheet">${labels.join('\n')}</div></body></html>`;
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

}

/** The working-day calendar, the norms report and the monthly files. */
function reportRoutes(app: ZodApp, norms: NormsService, o: NormsRouteOptions): void {
  app.get(
    '/api/norms/calendar/:date',
    { config: { access: ACCESS.anyUser }, schema: { summary: 'Whether a date is a working day (public holidays and make-up days)', tags: ['norms'], params: z.object({ date: z.string().max(20) }) } },
    async (req) => {
      const d = parseLocalDate(req.params.date);
      if (!d) throw new ApiError('BAD_REQUEST', `date: expected YYYY-MM-DD, got "${req.params.date}"`);
      return { date: req.params.date, workingDay: norms.calendar.isWorkingDay(d), covered: norms.calendar.covers(d.year) };
    },
  );

  app.get(
    '/api/norms/report',
    {
      config: { ...STAFF, inlineStyles: true },
      schema: {
        summary: "The norms report of a month: each norm's value, target and verdict, worst offenders, 12-month trends",
        tags: ['norms'],
        querystring: z.object({ month: z.string().optional(), format: z.enum(['json', 'csv', 'html']).default('json'), lang: z.enum(NORMS_LANGUAGES).default('zh-CN') }),
      },
    },
    async (req, reply) => {
      const ym = req.query.month === undefined ? localMonthOf(o.now(), o.timeZone) : parseLocalMonth(req.query.month);
      if (!ym) throw new ApiError('BAD_REQUEST', `month: expected YYYY-MM, got "${String(req.query.month)}"`);
      const report = norms.report(ym);
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="norms-${report.month.range.label}.csv"`).send(normsCsv(report));
      if (req.query.format === 'html') return reply.type('text/html; charset=utf-8').send(normsHtml(report, req.query.lang));
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(report));
    },
  );

  app.get('/api/norms/monthly', { config: STAFF, schema: { summary: 'Generated monthly norms report files', tags: ['norms'] } }, async () => ({ files: norms.monthlyFiles() }));
}
