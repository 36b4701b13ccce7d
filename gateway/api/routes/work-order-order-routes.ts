/**
 * Operator work-order routes on single orders: list, create by hand, read one, and the actions
 * (close with its admin override, reassign, cancel, reopen, notes). Access and the actor are set by
 * the operator plugin in work-order-routes.ts.
 */
import { z } from 'zod';
import type { Actor, WorkOrder, WorkOrdersFacade } from '../../../rules/work-orders/index.ts';
import { userOf } from '../access-control.ts';
import { ApiError } from '../api-error.ts';
import { scopeOf, type BuildingScope } from '../building-scope.ts';
import { sendImage } from './work-order-attachment-routes.ts';
import {
  actorOf,
  attachmentParams,
  call,
  closeWorkOrderBody,
  createWorkOrderBody,
  detail,
  detailView,
  idParams,
  listView,
  noteBody,
  reasonBody,
  reassignWorkOrderBody,
  view,
  workOrderListQuery,
  workOrderView,
  type WorkOrderApp,
} from './work-order-views.ts';

/** What the operator routes share: the service, the clock, where a device is, and the request's building scope checks. */
export interface OperatorRouteContext {
  readonly wo: WorkOrdersFacade;
  readonly now: () => number;
  readonly deviceBuilding: (id: string) => string | undefined;
  readonly tags: string[];
  readonly base: string;
  /** The order's building is in the account's scope (false for an unknown order). */
  readonly canSee: (id: number, scope: BuildingScope) => boolean;
  /** Throws 404 (as if it did not exist) for an order outside the account's scope. */
  readonly visible: (id: number, scope: BuildingScope) => void;
}

export function registerOrderRoutes(app: WorkOrderApp, ctx: OperatorRouteContext): void {
  registerOrderQueries(app, ctx);
  registerOrderCommands(app, ctx);
}

function registerOrderQueries(app: WorkOrderApp, ctx: OperatorRouteContext): void {
  const { wo, tags, base, visible } = ctx;
  app.get(
    base,
    {
      schema: {
        summary: 'Work orders with filters, newest first',
        tags,
        querystring: workOrderListQuery,
        response: { 200: listView },
      },
    },
    async (req) => {
      const q = req.query;
      const scope = scopeOf(req);
      if (q.building !== undefined && !scope.has(q.building)) return { workOrders: [] };
      // an account limited to several buildings: one query per building, merged newest first
      const buildings = q.building !== undefined || scope.all ? [q.building] : [...scope.buildings];
      const orders = buildings.flatMap((building) =>
        wo.list({
          ...(q.status ? { status: q.status } : {}),
          ...(q.contractor !== undefined ? { contractor: q.contractor } : {}),
          ...(q.trade !== undefined ? { trade: q.trade } : {}),
          ...(q.device !== undefined ? { device: q.device } : {}),
          ...(building !== undefined ? { building } : {}),
          ...(q.source !== undefined ? { source: q.source } : {}),
          ...(q.priority !== undefined ? { priority: q.priority } : {}),
          ...(q.from !== undefined ? { createdFrom: q.from } : {}),
          ...(q.to !== undefined ? { createdTo: q.to } : {}),
          limit: q.limit,
        }),
      );
      if (buildings.length > 1) orders.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
      return { workOrders: orders.slice(0, q.limit).map(view) };
    },
  );

  app.get(
    `${base}/:id/attachments/:attachment`,
    { schema: { summary: 'A photo or signature stored with a work order (the image itself)', tags, params: attachmentParams } },
    async (req, reply) => {
      visible(req.params.id, scopeOf(req));
      return sendImage(reply, call(() => wo.attachment(req.params.id, req.params.attachment)));
    },
  );

  app.get(
    `${base}/:id`,
    { schema: { summary: 'One work order with its journal, photos and signatures, and deliveries', tags, params: idParams, response: { 200: detailView } } },
    async (req) => {
      visible(req.params.id, scopeOf(req));
      return detail(call(() => wo.get(req.params.id)));
    },
  );

}

function registerOrderCommands(app: WorkOrderApp, ctx: OperatorRouteContext): void {
  const { wo, tags, base, visible, deviceBuilding } = ctx;
  app.post(
    base,
    {
      schema: {
        summary: 'Create a work order by hand',
        tags,
        body: createWorkOrderBody,
        response: { 201: workOrderView },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const scope = scopeOf(req);
      if (!scope.all && !scope.has(deviceBuilding(b.device))) throw new ApiError('BAD_REQUEST', `device: unknown device "${b.device}"`, { field: 'device' });
      const order = call(() =>
        wo.create(
          { device: b.device, trade: b.trade, priority: b.priority, title: b.title, ...(b.contractor !== undefined ? { contractor: b.contractor } : {}), ...(b.fault !== undefined ? { fault: b.fault } : {}) },
          actorOf(req),
        ),
      );
      return reply.status(201).send(view(order));
    },
  );

  const action = <B extends z.ZodType>(path: string, summary: string, body: B, run: (id: number, actor: Actor, body: z.output<B>) => WorkOrder): void => {
    app.post(`${base}/:id/${path}`, { schema: { summary, tags, params: idParams, body, response: { 200: workOrderView } } }, async (req) => {
      visible(req.params.id, scopeOf(req));
      return view(call(() => run(req.params.id, actorOf(req), req.body as z.output<B>)));
    });
  };
  app.post(
    `${base}/:id/close`,
    {
      schema: {
        summary: 'Verify the fix and close. Refused (409 ALARM_STILL_ACTIVE) while an alarm of the order is active; an admin may override with a reason (journaled)',
        tags,
        params: idParams,
        body: closeWorkOrderBody,
        response: { 200: workOrderView },
      },
    },
    async (req) => {
      const user = userOf(req);
      if (req.body.override && user.role !== 'admin') throw new ApiError('FORBIDDEN', 'override: only an admin may close a work order while its alarm is active');
      const override = req.body.override ? { by: user.username, reason: req.body.override.reason } : undefined;
      return view(call(() => wo.close(req.params.id, actorOf(req), req.body.note, override)));
    },
  );
  action('reassign', 'Give the order to another contractor (the old one is told it was withdrawn)', reassignWorkOrderBody, (id, a, b) =>
    wo.reassign(id, b.contractor, a, b.note),
  );
  action('cancel', 'Cancel the order', reasonBody, (id, a, b) => wo.cancel(id, a, b.reason));
  action('reopen', 'Reopen a resolved, closed or cancelled order (deadlines start again)', reasonBody, (id, a, b) => wo.reopen(id, a, b.reason));
  action('notes', 'Add a note to the journal', noteBody, (id, a, b) => wo.addNote(id, a, b.note));
}
