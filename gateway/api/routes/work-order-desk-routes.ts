/**
 * Operator work-order routes of the desk: undeliverable messages (dead letters) and their retry,
 * the contractor directory, KPIs per contractor or trade, and the counters.
 */
import { z } from 'zod';
import { ApiError } from '../api-error.ts';
import { requireWholeSite, scopeOf } from '../building-scope.ts';
import { queryTime } from './query-time.ts';
import { actorOf, call, deadLettersView, kpisView, type WorkOrderApp } from './work-order-views.ts';
import type { OperatorRouteContext } from './work-order-order-routes.ts';

export function registerDeskRoutes(app: WorkOrderApp, ctx: OperatorRouteContext): void {
  registerDeadLetterRoutes(app, ctx);
  registerFigureRoutes(app, ctx);
}

/** Dead letters of the orders in the account's scope, with their delivery attempts; a retry queues one again. */
function registerDeadLetterRoutes(app: WorkOrderApp, ctx: OperatorRouteContext): void {
  const { wo, tags, base, canSee } = ctx;
  app.get(
    `${base}/dead-letters`,
    {
      schema: {
        summary: 'Messages that could not be delivered after every attempt',
        tags,
        response: {
          200: deadLettersView,
        },
      },
    },
    async (req) => ({
      deadLetters: wo
        .deadLetters()
        .filter((d) => scopeOf(req).all || (d.orderId !== null && canSee(d.orderId, scopeOf(req))))
        .map((d) => ({
        id: d.id,
        orderId: d.orderId,
        recipientType: d.recipientType,
        recipient: d.recipient,
        channel: d.channel,
        event: d.event,
        attempts: d.attempts,
        deadAt: d.deadAt,
        reason: d.reason,
        history: wo.deliveryAttempts(d.id).map((a) => ({ attempt: a.attempt, at: a.at, ok: a.ok, statusCode: a.statusCode, error: a.error })),
      })),
    }),
  );

  app.post(
    `${base}/dead-letters/:id/retry`,
    { schema: { summary: 'Queue a dead letter again (attempts start over)', tags, params: z.object({ id: z.uuid() }), response: { 202: z.object({ queued: z.string() }) } } },
    async (req, reply) => {
      const dead = wo.deadLetters().find((d) => d.id === req.params.id);
      if (!scopeOf(req).all && (!dead || dead.orderId === null || !canSee(dead.orderId, scopeOf(req)))) throw new ApiError('NOT_FOUND', `no dead letter ${req.params.id}`);
      call(() => wo.retryDeadLetter(req.params.id, actorOf(req)));
      return reply.status(202).send({ queued: req.params.id });
    },
  );
}

/** The contractor directory, KPIs and counters. */
function registerFigureRoutes(app: WorkOrderApp, ctx: OperatorRouteContext): void {
  const { wo, now, tags, base } = ctx;
  app.get(
    `${base}/contractors`,
    {
      schema: {
        summary: 'The configured contractors (ids, names, trades, kinds), e.g. to choose whom to reassign an order to',
        tags,
        response: { 200: z.object({ contractors: z.array(z.object({ id: z.string(), name: z.string(), trades: z.array(z.string()), kinds: z.array(z.string()) })) }) },
      },
    },
    async () => ({ contractors: wo.contractorDirectory() }),
  );

  app.get(
    `${base}/kpis`,
    {
      schema: {
        summary: 'Response time, time to fix, SLA compliance and open backlog per contractor or trade (orders created in the period)',
        tags,
        querystring: z.object({ groupBy: z.enum(['contractor', 'trade']).default('contractor'), from: queryTime.optional(), to: queryTime.optional() }),
        response: { 200: kpisView },
      },
    },
    async (req) => {
      requireWholeSite(req, 'contractor and trade KPIs');
      const to = req.query.to ?? now();
      const from = req.query.from ?? to - 30 * 86_400_000;
      if (from > to) throw new ApiError('BAD_REQUEST', 'from: must not be after to', { field: 'from' });
      return { from, to, groupBy: req.query.groupBy, rows: wo.kpis({ from, to, groupBy: req.query.groupBy }) };
    },
  );

  app.get(
    `${base}/stats`,
    { schema: { summary: 'Counters: orders, recurrences, SLA breaches, escalations, outbox', tags, response: { 200: z.looseObject({ open: z.number() }) } } },
    async (req) => {
      requireWholeSite(req, 'work-order counters');
      return { ...wo.stats() };
    },
  );
}
