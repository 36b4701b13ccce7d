/**
 * Alarm history: `GET /api/alarms/journal` searches the journal (time range, building, floor, kind,
 * device, priority, state, text; newest first, paginated) and `GET /api/alarms/journal/export`
 * streams the same search as CSV or XLSX (oldest first). Staff only; building scopes apply (another
 * building is 404, as if it did not exist). Each row links to its alarm (`alarm`, see
 * `GET /api/alarms/:id/journal`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ALARM_KINDS, ALARM_PRIORITIES, ALARM_STATES } from '../../../rules/index.ts';
import type { AlarmsFacade, JournalSearch } from '../../../rules/alarms/index.ts';
import { ApiError } from '../api-error.ts';
import { scopeOf } from '../building-scope.ts';
import { ACCESS } from '../route-access.ts';
import { csvExport, xlsxExport } from './alarm-history-export.ts';
import { queryTime } from './query-time.ts';

function list<T extends string>(allowed: readonly T[], name: string) {
  return z
    .string()
    .transform((text, ctx) => {
      const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
      const wrong = parts.filter((p) => !(allowed as readonly string[]).includes(p));
      if (wrong.length > 0) {
        ctx.addIssue({ code: 'custom', message: `${name}: "${wrong.join(', ')}" is not one of ${allowed.join(', ')}` });
        return z.NEVER;
      }
      return parts as T[];
    })
    .optional();
}

const PRIORITY_NAMES = ALARM_PRIORITIES.map(String) as Array<'1' | '2' | '3' | '4'>;
const filters = z.object({
  from: queryTime.optional(),
  to: queryTime.optional(),
  building: z.string().min(1).max(64).optional(),
  floor: z.string().min(1).max(64).optional(),
  kind: list(ALARM_KINDS as readonly string[], 'kind'),
  device: z.string().min(1).max(128).optional(),
  priority: list(PRIORITY_NAMES, 'priority'),
  state: list(ALARM_STATES, 'state'),
  text: z.string().max(200).optional(),
});

function search(req: FastifyRequest, q: z.output<typeof filters>): JournalSearch {
  const scope = scopeOf(req);
  if (q.building !== undefined && !scope.has(q.building)) throw new ApiError('NOT_FOUND', `no building "${q.building}"`);
  const buildings = q.building !== undefined ? [q.building] : scope.all ? undefined : [...scope.buildings];
  return {
    ...(q.from !== undefined ? { from: q.from } : {}),
    ...(q.to !== undefined ? { to: q.to } : {}),
    ...(buildings ? { buildings } : {}),
    ...(q.floor !== undefined ? { floor: q.floor } : {}),
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.device !== undefined ? { device: q.device } : {}),
    ...(q.priority ? { priority: q.priority.map(Number) } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.text !== undefined ? { text: q.text } : {}),
  };
}

export function alarmHistoryRoutes(alarms: AlarmsFacade): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/alarms/journal',
      {
        config: { access: ACCESS.staff },
        schema: {
          tags: ['alarms'],
          summary: 'Search the alarm journal (newest first, paginated)',
          querystring: filters.extend({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(500).default(50) }),
        },
      },
      async (req) => {
        const { page, pageSize, ...q } = req.query;
        const result = alarms.searchJournal(search(req, q), (page - 1) * pageSize, pageSize);
        return { page, pageSize, total: result.total, rows: result.rows };
      },
    );
    app.get(
      '/api/alarms/journal/export',
      {
        config: { access: ACCESS.staff },
        schema: { tags: ['alarms'], summary: 'Export the alarm journal search as CSV or XLSX (streamed)', querystring: filters.extend({ format: z.enum(['csv', 'xlsx']).default('csv') }) },
      },
      async (req, reply) => {
        const { format, ...q } = req.query;
        const rows = alarms.iterateJournal(search(req, q));
        const name = `alarm-journal-${new Date().toISOString().slice(0, 10)}.${format}`;
        reply.header('content-disposition', `attachment; filename="${name}"`);
        if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(csvExport(rows));
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(xlsxExport(rows));
      },
    );
  };
}
