/**
 * The work-order API's schemas (request bodies and response views, the contract the dashboard's
 * types are derived from), the mapping of service refusals to the error catalogue, and the actor
 * of a request.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { queryTime } from './query-time.ts';
import { kindName } from '../../model/kinds/kind-name.ts';
import { ATTACHMENT_KINDS, WORK_ORDER_SOURCES, WORK_ORDER_STATUSES, WorkOrderError } from '../../../rules/index.ts';
import type { Actor, WorkOrder, WorkOrderDetail } from '../../../rules/work-orders/index.ts';
import { ApiError } from '../api-error.ts';

/** The app a work-order plugin registers its routes on (zod type provider). */
export type WorkOrderApp = Parameters<FastifyPluginAsyncZod>[0];

export const priority = z.coerce.number().int().min(1).max(4).transform((p) => p as 1 | 2 | 3 | 4);
export const status = z.enum(WORK_ORDER_STATUSES);
export const idParams = z.object({ id: z.coerce.number().int().positive() });
export const note = z.string().trim().min(1).max(4000);

export const workOrderView = z.object({
  id: z.number(),
  source: z.enum(WORK_ORDER_SOURCES),
  device: z.string().nullable(),
  kind: kindName.nullable(),
  location: z.object({ site: z.string(), building: z.string(), floor: z.string() }).nullable(),
  fault: z.string().nullable(),
  trade: z.string(),
  priority: z.number(),
  title: z.string(),
  contractor: z.string().nullable(),
  status,
  createdAt: z.number(),
  createdBy: z.string(),
  updatedAt: z.number(),
  respondBy: z.number(),
  fixBy: z.number(),
  dispatchedAt: z.number().nullable(),
  acknowledgedAt: z.number().nullable(),
  startedAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  cancelledAt: z.number().nullable(),
  respondBreachedAt: z.number().nullable(),
  fixBreachedAt: z.number().nullable(),
  occurrences: z.number(),
  lastOccurrenceAt: z.number(),
  alarmIds: z.array(z.string()),
  alarmActive: z.boolean(),
  alarmClearedAt: z.number().nullable(),
});

export const journalView = z.object({
  seq: z.number(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  from: status.nullable(),
  to: status.nullable(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});

/** A photo or signature stored with an order (its bytes: `.../:id/attachments/:attachment`). */
export const attachmentView = z.object({ id: z.number(), kind: z.enum(ATTACHMENT_KINDS), mime: z.string(), size: z.number(), at: z.number(), actor: z.string() });
export const attachmentParams = z.object({ id: z.coerce.number().int().positive(), attachment: z.coerce.number().int().positive() });

export const detailView = workOrderView.extend({
  journal: z.array(journalView),
  attachments: z.array(attachmentView),
  deliveries: z.array(z.object({ id: z.string(), recipient: z.string(), channel: z.string(), event: z.string(), status: z.string(), attempts: z.number(), lastError: z.string().nullable() })),
});

export const listView = z.object({ workOrders: z.array(workOrderView) });

export const durationStats = z.object({ count: z.number(), meanMs: z.number().nullable(), p50Ms: z.number().nullable(), p90Ms: z.number().nullable(), maxMs: z.number().nullable() });

/** `GET /api/work-orders` filters. */
export const workOrderListQuery = z.object({
  status: z.array(status).or(status.transform((s) => [s])).optional(),
  contractor: z.string().optional(),
  trade: z.string().optional(),
  device: z.string().optional(),
  building: z.string().optional(),
  source: z.enum(WORK_ORDER_SOURCES).optional(),
  priority: priority.optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});

/** `POST /api/work-orders`: a work order created by hand. */
export const createWorkOrderBody = z.object({
  device: z.string().min(1),
  trade: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected an identifier such as "pumps"'),
  priority: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  title: z.string().trim().min(1).max(500),
  contractor: z.string().optional(),
  fault: z.string().min(1).optional(),
});

/** `POST /api/work-orders/:id/close`: verify and close; an admin may override an active alarm with a reason. */
export const closeWorkOrderBody = z.object({ note: note.optional(), override: z.object({ reason: note }).optional() }).prefault({});
export const reassignWorkOrderBody = z.object({ contractor: z.string().min(1), note: note.optional() });
export const reasonBody = z.object({ reason: note });
export const noteBody = z.object({ note });

/** Undeliverable messages with their attempts (`GET /api/work-orders/dead-letters`). */
export const deadLettersView = z.object({
  deadLetters: z.array(
    z.object({
      id: z.string(),
      orderId: z.number().nullable(),
      recipientType: z.string(),
      recipient: z.string(),
      channel: z.string(),
      event: z.string(),
      attempts: z.number(),
      deadAt: z.number(),
      reason: z.string(),
      history: z.array(z.object({ attempt: z.number(), at: z.number(), ok: z.boolean(), statusCode: z.number().nullable(), error: z.string().nullable() })),
    }),
  ),
});

/** KPIs per contractor or trade (`GET /api/work-orders/kpis`). */
export const kpisView = z.object({
  from: z.number(),
  to: z.number(),
  groupBy: z.string(),
  rows: z.array(
    z.object({
      key: z.string(),
      created: z.number(),
      responseTime: durationStats,
      timeToFix: durationStats,
      judged: z.number(),
      compliant: z.number(),
      slaCompliancePct: z.number().nullable(),
      respondBreaches: z.number(),
      fixBreaches: z.number(),
      openBacklog: z.number(),
    }),
  ),
});

/** Map a refusal of the service to the API's error catalogue, keeping the field it names. */
function apiError(err: unknown): unknown {
  if (!(err instanceof WorkOrderError)) return err;
  return new ApiError(err.code, err.message, err.field ? { field: err.field } : undefined);
}

export function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw apiError(err);
  }
}

export type View = z.output<typeof workOrderView>;
export type DetailView = z.output<typeof detailView>;

export const view = (o: WorkOrder): View => ({ ...o, alarmIds: [...o.alarmIds], location: o.location ? { ...o.location } : null });
export const detail = (o: WorkOrderDetail): DetailView => ({
  ...view(o),
  journal: o.journal.map((j) => ({ ...j })),
  attachments: o.attachments.map((a) => ({ ...a })),
  deliveries: o.deliveries.map((d) => ({ ...d })),
});

export const actors = new WeakMap<FastifyRequest, Actor>();

export function actorOf(request: FastifyRequest): Actor {
  const actor = actors.get(request);
  if (!actor) throw new ApiError('UNAUTHORIZED', 'not authenticated');
  return actor;
}

