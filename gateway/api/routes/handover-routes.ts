/**
 * Shift handover (#22.4):
 * - `GET /api/handovers/shifts`: the configured shifts and the one running now;
 * - `GET /api/handovers/report?date=YYYY-MM-DD&shift=day` (default: the shift running now): the
 *   report as it stands (not stored);
 * - `POST /api/handovers` `{ date, shift, note }`: the outgoing operator signs; the report is stored
 *   as drawn up now; `POST /api/handovers/:id/accept` `{ note }`: the incoming operator (another
 *   account) countersigns;
 * - `GET /api/handovers?from=&to=`, `GET /api/handovers/:id`, `GET /api/handovers/:id/print?lang=`
 *   (printable HTML, zh-CN or en; also `GET /api/handovers/report/print` for a draft).
 * The report covers the whole site: accounts limited to buildings are refused (403).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
// the printout speaks the handover page's vocabulary (pure data and functions, no DOM)
import { handoverWords } from '../../../dashboard/src/i18n/handover-words.ts';
import { HandoverError, renderHandoverHtml, type HandoverFacade } from '../../../rules/index.ts';
import { ApiError } from '../api-error.ts';
import { requireWholeSite } from '../building-scope.ts';
import { ACCESS } from '../route-access.ts';
import { operator } from './alarm-routes.ts';
import { queryTime } from './query-time.ts';

const DAY = 86_400_000;
const shiftQuery = z.object({ date: z.string().optional(), shift: z.string().optional() });
const lang = z.object({ lang: z.enum(['zh-CN', 'en']).default('zh-CN') });
const note = z.string().trim().max(4000);
const idParams = z.object({ id: z.coerce.number().int().min(1) });

function apply<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HandoverError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

export function handoverRoutes(handovers: HandoverFacade, now: () => number): FastifyPluginAsyncZod {
  const shiftOf = (q: z.output<typeof shiftQuery>) => {
    if ((q.date === undefined) !== (q.shift === undefined)) throw new ApiError('BAD_REQUEST', `${q.date === undefined ? 'date' : 'shift'}: give both date and shift, or neither (the shift running now)`);
    return apply(() => handovers.shift(q.date, q.shift));
  };
  return async (app) => {
    const READ = { access: ACCESS.staff };
    // the printable pages carry their own <style>
    const PRINT = { access: ACCESS.staff, inlineStyles: true };
    const SIGN = { access: ACCESS.operate };
    const tags = ['handover'];

    app.get('/api/handovers/shifts', { config: READ, schema: { summary: 'The configured shifts (local start times) and the shift running now', tags } }, async (req) => {
      requireWholeSite(req, 'the shift handover');
      return { timeZone: handovers.timeZone, shifts: handovers.shifts(), current: handovers.shift() };
    });

    app.get('/api/handovers/report', { config: READ, schema: { summary: 'The handover report of a shift as it stands now (not stored)', tags, querystring: shiftQuery } }, async (req) => {
      requireWholeSite(req, 'the shift handover');
      return handovers.report(shiftOf(req.query));
    });

    app.get(
      '/api/handovers/report/print',
      { config: PRINT, schema: { summary: 'The draft report of a shift as printable HTML', tags, querystring: shiftQuery.extend(lang.shape) } },
      async (req, reply) => {
        requireWholeSite(req, 'the shift handover');
        const report = handovers.report(shiftOf(req.query));
        return reply.type('text/html; charset=utf-8').send(renderHandoverHtml({ report }, req.query.lang, handoverWords(req.query.lang)));
      },
    );

    app.get(
      '/api/handovers',
      { config: READ, schema: { summary: 'Signed handovers of shifts overlapping [from, to) (default: the last 31 days), newest first', tags, querystring: z.object({ from: queryTime.optional(), to: queryTime.optional() }) } },
      async (req) => {
        requireWholeSite(req, 'the shift handover');
        const to = req.query.to ?? now() + DAY;
        const from = req.query.from ?? to - 32 * DAY;
        return { handovers: handovers.list(from, to) };
      },
    );

    app.post(
      '/api/handovers',
      { config: SIGN, schema: { summary: "The outgoing operator signs the shift's report (stored as drawn up now)", tags, body: z.object({ date: z.string(), shift: z.string(), note }) } },
      async (req) => {
        requireWholeSite(req, 'the shift handover');
        const shift = shiftOf(req.body);
        return apply(() => handovers.sign(shift, operator(req), req.body.note));
      },
    );

    app.post(
      '/api/handovers/:id/accept',
      { config: SIGN, schema: { summary: 'The incoming operator (another account) countersigns the handover', tags, params: idParams, body: z.object({ note }) } },
      async (req) => {
        requireWholeSite(req, 'the shift handover');
        return apply(() => handovers.countersign(req.params.id, operator(req), req.body.note));
      },
    );

    app.get('/api/handovers/:id', { config: READ, schema: { summary: 'One signed handover with its stored report', tags, params: idParams } }, async (req) => {
      requireWholeSite(req, 'the shift handover');
      return apply(() => handovers.get(req.params.id));
    });

    app.get(
      '/api/handovers/:id/print',
      { config: PRINT, schema: { summary: 'A signed handover as printable HTML (zh-CN or en)', tags, params: idParams, querystring: lang } },
      async (req, reply) => {
        requireWholeSite(req, 'the shift handover');
        const h = apply(() => handovers.get(req.params.id));
        return reply.type('text/html; charset=utf-8').send(renderHandoverHtml(h, req.query.lang, handoverWords(req.query.lang)));
      },
    );
  };
}
