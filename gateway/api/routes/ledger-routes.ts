/**
 * The equipment ledger: every device's asset record (list, CSV/XLSX export, CSV import), one
 * device's history page (JSON or printable HTML), attachments, and parts/cost/labour of work orders.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ASSET_FIELDS, historyHtml, LedgerError, ledgerCsv, ledgerRow, LEDGER_COLUMNS, MAX_ATTACHMENT, NORMS_LANGUAGES, parseLedgerCsv, safeCell, type NormsService } from '../../../rules/index.ts';
import type { AuditLog } from '../../auth/audit-log.ts';
import { userOf } from '../access-control.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';

function ledgerError(err: unknown): unknown {
  if (!(err instanceof LedgerError)) return err;
  return new ApiError(err.code === 'not_found' ? 'NOT_FOUND' : 'BAD_REQUEST', err.message, err.field ? { field: err.field } : undefined);
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw ledgerError(err);
  }
}

const field = z.union([z.string().max(500), z.number(), z.null()]).optional();
const assetBody = z.object(Object.fromEntries(ASSET_FIELDS.map((f) => [f, field])) as Record<(typeof ASSET_FIELDS)[number], typeof field>).strict();

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];
interface LedgerContext {
  readonly known: ReadonlySet<string>;
  readonly timeZone: string;
  readonly now: () => number;
  readonly audit: AuditLog | undefined;
}

export function ledgerRoutes(norms: NormsService, timeZone: string, now: () => number, audit?: AuditLog): FastifyPluginAsyncZod {
  const c: LedgerContext = { known: new Set(norms.devices.map((d) => d.id)), timeZone, now, audit };
  return async (app) => {
    listRoutes(app, norms, c);
    historyRoutes(app, norms, c);
    attachmentRoutes(app, norms, c);
  };
}

/** The ledger as JSON, CSV or XLSX, and the CSV import. */
function listRoutes(app: ZodApp, norms: NormsService, c: LedgerContext): void {
  const { known, timeZone, now, audit } = c;
  const requireDevice = (id: string): void => {
    if (!known.has(id)) throw new ApiError('NOT_FOUND', `device: no device "${id}"`);
  };
  app.get(
    '/api/norms/ledger',
    { config: { access: ACCESS.staff }, schema: { summary: 'The equipment ledger: every device with its asset record', tags: ['ledger'], querystring: z.object({ format: z.enum(['json', 'csv', 'xlsx']).default('json') }) } },
    async (req, reply) => {
      const rows = norms.devices.map((d) => ({ device: d, asset: norms.assets.get(d.id) }));
      if (req.query.format === 'json') return { devices: rows.map((r) => ({ id: r.device.id, name: r.device.name, kind: r.device.kind, location: r.device.location, asset: r.asset })) };
      const cells = rows.map((r) => ledgerRow(r.device, r.asset));
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="equipment-ledger.csv"').send(ledgerCsv(cells));
      const { default: ExcelJS } = await import('exceljs'); // on first use, not at start-up (about 8 MiB)
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('equipment ledger');
      sheet.addRow([...LEDGER_COLUMNS]);
      for (const c of cells) sheet.addRow(c.map(safeCell));
      const buffer = Buffer.from(await book.xlsx.writeBuffer());
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', 'attachment; filename="equipment-ledger.xlsx"').send(buffer);
    },
  );

  app.post(
    '/api/norms/ledger/import',
    {
      bodyLimit: 5 * 1024 * 1024,
      // audited here with a summary: the generic audit would copy the whole file into the log
      config: { access: ACCESS.operate, audit: 'self' },
      schema: { summary: 'Import an existing ledger from CSV (all rows or none; every problem named by line and column)', tags: ['ledger'], body: z.object({ csv: z.string().max(4 * 1024 * 1024) }) },
    },
    async (req) => {
      const user = userOf(req);
      const rows = call(() => parseLedgerCsv(req.body.csv, known));
      const imported = norms.assets.importAll(rows, now(), user.username);
      audit?.record({ username: user.username, role: user.role, address: req.ip, via: user.via, action: 'ledger.imported', detail: { rows: imported, devices: rows.map((r) => r.device) } });
      return { imported };
    },
  );

}

/** A device's history page and its asset record. */
function historyRoutes(app: ZodApp, norms: NormsService, c: LedgerContext): void {
  const { known, timeZone, now, audit } = c;
  const requireDevice = (id: string): void => {
    if (!known.has(id)) throw new ApiError('NOT_FOUND', `device: no device "${id}"`);
  };
  app.get(
    '/api/norms/ledger/:device',
    {
      config: { access: ACCESS.staff, inlineStyles: true },
      schema: { summary: "A device's history: asset record, alarms, orders with cost, inspections, availability per month", tags: ['ledger'], params: z.object({ device: z.string().max(200) }), querystring: z.object({ format: z.enum(['json', 'html']).default('json'), lang: z.enum(NORMS_LANGUAGES).default('zh-CN') }) },
    },
    async (req, reply) => {
      const h = call(() => norms.history(req.params.device));
      if (req.query.format === 'html') return reply.type('text/html; charset=utf-8').send(historyHtml(h, req.query.lang, timeZone));
      return h;
    },
  );

  app.put(
    '/api/norms/ledger/:device',
    { config: { access: ACCESS.operate }, schema: { summary: "Set fields of a device's asset record", tags: ['ledger'], params: z.object({ device: z.string().max(200) }), body: assetBody } },
    async (req) => {
      requireDevice(req.params.device);
      return call(() => norms.assets.upsert(req.params.device, req.body, now(), userOf(req).username));
    },
  );

}

/** Attachments and the parts, cost and labour of work orders. */
function attachmentRoutes(app: ZodApp, norms: NormsService, c: LedgerContext): void {
  const { known, timeZone, now, audit } = c;
  const requireDevice = (id: string): void => {
    if (!known.has(id)) throw new ApiError('NOT_FOUND', `device: no device "${id}"`);
  };
  app.post(
    '/api/norms/ledger/:device/attachments',
    {
      bodyLimit: Math.ceil((MAX_ATTACHMENT * 4) / 3) + 4096,
      config: { access: ACCESS.operate, audit: 'self' },
      schema: { summary: 'Attach a document (PDF or image) to a device', tags: ['ledger'], params: z.object({ device: z.string().max(200) }), body: z.object({ name: z.string().min(1).max(200), type: z.string().max(100), base64: z.string() }) },
    },
    async (req, reply) => {
      requireDevice(req.params.device);
      const user = userOf(req);
      const a = call(() => norms.assets.addAttachment(req.params.device, req.body.name, req.body.type, Buffer.from(req.body.base64, 'base64'), now(), user.username));
      audit?.record({ username: user.username, role: user.role, address: req.ip, via: user.via, action: 'ledger.attachment.added', target: req.params.device, detail: { id: a.id, name: a.name, type: a.type, size: a.size } });
      return reply.status(201).send(a);
    },
  );

  app.get(
    '/api/norms/ledger/:device/attachments/:id',
    { config: { access: ACCESS.staff }, schema: { summary: 'An attachment', tags: ['ledger'], params: z.object({ device: z.string().max(200), id: z.coerce.number().int().positive() }) } },
    async (req, reply) => {
      const a = norms.assets.attachment(req.params.device, req.params.id);
      if (!a) throw new ApiError('NOT_FOUND', `attachment ${req.params.id}: not found`);
      return reply.type(a.type).header('content-disposition', `attachment; filename="${encodeURIComponent(a.name)}"`).send(a.data);
    },
  );

  app.put(
    '/api/norms/work-orders/:id/cost',
    {
      config: { access: ACCESS.operate },
      schema: { summary: 'Parts, cost (yuan) and labour minutes of a work order', tags: ['ledger'], params: z.object({ id: z.coerce.number().int().positive() }), body: z.object({ parts: z.string().max(2000).optional(), cost: z.number(), labourMinutes: z.number().int() }) },
    },
    async (req) => call(() => norms.assets.setCost(req.params.id, req.body, now(), userOf(req).username)),
  );
}
