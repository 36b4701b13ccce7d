/**
 * The audit log for administrators: read it (filter by time, user, action; newest first, paged by
 * cursor), export it as CSV, and verify its hash chain.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditEntry, AuditLog } from '../../auth/audit-log.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';
import { queryTime } from './query-time.ts';

const filters = {
  from: queryTime.optional(),
  to: queryTime.optional(),
  user: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
};

const entryView = z.object({
  id: z.number(),
  at: z.number(),
  username: z.string(),
  role: z.string().nullable(),
  address: z.string().nullable(),
  via: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  hash: z.string(),
});

const CSV_COLUMNS = ['id', 'time', 'user', 'role', 'address', 'via', 'action', 'target', 'detail', 'hash'] as const;
const MAX_EXPORT = 1_000_000;

/** A CSV cell: quoted when needed, and a leading = + - @ neutralised so a spreadsheet never runs it as a formula. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRow(e: AuditEntry): string {
  return [e.id, new Date(e.at).toISOString(), e.username, e.role, e.address, e.via, e.action, e.target, e.detail ? JSON.stringify(e.detail) : null, e.hash].map(cell).join(',');
}

export function auditRoutes(audit: AuditLog): FastifyPluginAsyncZod {
  return async (app) => {
    const config = { access: ACCESS.admin };
    const query = (q: { from?: number | undefined; to?: number | undefined; user?: string | undefined; action?: string | undefined }) => {
      if (q.from !== undefined && q.to !== undefined && q.from > q.to) throw new ApiError('BAD_REQUEST', 'from: must not be after to');
      return { from: q.from, to: q.to, username: q.user, action: q.action };
    };

    app.get(
      '/api/audit',
      {
        config,
        schema: {
          summary: 'Audit log, newest first: who changed what, when, from which address (admins)',
          tags: ['audit'],
          querystring: z.object({ ...filters, before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: z.object({ entries: z.array(entryView), next: z.number().nullable(), head: z.string() }) },
        },
      },
      async (req) => {
        const entries = audit.list({ ...query(req.query), before: req.query.before, limit: req.query.limit + 1 });
        const more = entries.length > req.query.limit;
        const page = more ? entries.slice(0, req.query.limit) : entries;
        return { entries: page, next: more ? (page.at(-1)?.id ?? null) : null, head: audit.head() };
      },
    );

    app.get(
      '/api/audit/export.csv',
      {
        config,
        schema: { summary: 'The audit log as CSV (UTF-8 with BOM), oldest first, with each row’s chain hash', tags: ['audit'], querystring: z.object(filters) },
      },
      async (req, reply) => {
        const rows = audit.list({ ...query(req.query), limit: MAX_EXPORT }).reverse();
        const body = [CSV_COLUMNS.join(','), ...rows.map(csvRow)].join('\r\n');
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`)
          .send(`\uFEFF${body}\r\n`);
      },
    );

    app.get(
      '/api/audit/verify',
      {
        config,
        schema: {
          summary: 'Walk the hash chain of the audit log: ok, or the first row that was changed, inserted or removed',
          tags: ['audit'],
          response: { 200: z.object({ ok: z.boolean(), rows: z.number(), head: z.string().optional(), brokenAt: z.number().optional(), reason: z.string().optional() }) },
        },
      },
      async () => ({ ...audit.verify() }),
    );
  };
}
