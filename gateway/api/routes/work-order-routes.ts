/**
 * Work-order API. Two encapsulated plugins, each declaring its access (route-access.ts) and setting the actor:
 *  - contractors (`/api/contractor/work-orders`): a contractor session or bearer token; each sees and changes only its own orders (403);
 *  - operators (`/api/work-orders`): the logged-in operator (role operator or admin; engineers may read);
 *    with no accounts configured (open mode, loopback only) an `x-user` header may name the operator.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor, WorkOrder, WorkOrdersFacade } from '../../../rules/work-orders/index.ts';
import { LOCAL_ADMIN } from '../../auth/accounts.ts';
import { userOf } from '../access-control.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';
import type { BuildingScope } from '../building-scope.ts';
import { actorOf, actors, call, detail, detailView, idParams, listView, note, status, view, workOrderView } from './work-order-views.ts';
import { registerOrderRoutes, type OperatorRouteContext } from './work-order-order-routes.ts';
import { registerDeskRoutes } from './work-order-desk-routes.ts';
import { registerContractorFiles, registerContractorResolve, type DeviceLookup } from './work-order-attachment-routes.ts';

export type { DeviceLookup } from './work-order-attachment-routes.ts';

function contractorRoutes(wo: WorkOrdersFacade, deviceOf: DeviceLookup): FastifyPluginAsyncZod {
  return async (app) => {
    // Contractors come with a login session of a contractor account (the dashboard) or with their
    // API token (their own systems); access-control.ts identifies them either way (route config).
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: ACCESS.contractor, bearer: 'contractor' };
    });
    app.addHook('preHandler', async (request) => {
      const user = userOf(request);
      if (user.role !== 'contractor') throw new ApiError('FORBIDDEN', `role ${user.role} may not use the contractor API`);
      if (!user.contractor) throw new ApiError('FORBIDDEN', `account ${user.username} is not linked to a contractor (accounts.users[].contractor)`);
      actors.set(request, { type: 'contractor', id: user.contractor });
    });

    const base = '/api/contractor/work-orders';
    app.get(
      base,
      {
        schema: {
          summary: 'The work orders assigned to the calling contractor',
          tags: ['work orders (contractor)'],
          querystring: z.object({ status: z.array(status).or(status.transform((s) => [s])).optional() }),
          response: { 200: listView },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { workOrders: wo.list({ contractor: actor.id, ...(req.query.status ? { status: req.query.status } : {}), limit: 1000 }).map(view) };
      },
    );

    app.get(
      `${base}/:id`,
      { schema: { summary: 'One of the caller’s work orders with its journal', tags: ['work orders (contractor)'], params: idParams, response: { 200: detailView } } },
      async (req) => detail(call(() => wo.get(req.params.id, actorOf(req)))),
    );

    const action = (path: string, summary: string, body: z.ZodType<{ note?: string | undefined }>, run: (id: number, actor: Actor, note: string | undefined) => WorkOrder): void => {
      app.post(
        `${base}/:id/${path}`,
        { schema: { summary, tags: ['work orders (contractor)'], params: idParams, body, response: { 200: workOrderView } } },
        async (req) => view(call(() => run(req.params.id, actorOf(req), req.body.note))),
      );
    };
    action('acknowledge', 'Acknowledge (the respond deadline is met by this)', z.object({ note: note.optional() }).prefault({}), (id, a, n) => wo.acknowledge(id, a, n));
    action('start', 'Start work on site', z.object({ note: note.optional() }).prefault({}), (id, a, n) => wo.startWork(id, a, n));
    action('notes', 'Add a note to the journal', z.object({ note }), (id, a, n) => wo.addNote(id, a, n as string));
    registerContractorResolve(app, wo, base);
    await registerContractorFiles(app, wo, base, deviceOf);
  };
}

function operatorRoutes(wo: WorkOrdersFacade, now: () => number, deviceBuilding: (id: string) => string | undefined): FastifyPluginAsyncZod {
  /** An order the account may see (its building in scope), or 404 as if it did not exist. */
  const canSee = (id: number, scope: BuildingScope): boolean => {
    try {
      return scope.has(wo.get(id).location?.building);
    } catch {
      return false;
    }
  };
  const visible = (id: number, scope: BuildingScope): void => {
    if (scope.all) return;
    const order = call(() => wo.get(id));
    if (!scope.has(order.location?.building)) throw new ApiError('NOT_FOUND', `no work order ${id}`);
  };
  const ctx: OperatorRouteContext = { wo, now, deviceBuilding, tags: ['work orders (operator)'], base: '/api/work-orders', canSee, visible };
  return async (app) => {
    app.addHook('onRoute', (route) => {
      const reading = route.method === 'GET' || (Array.isArray(route.method) && route.method.every((m) => m === 'GET' || m === 'HEAD'));
      route.config = { ...route.config, access: reading ? ACCESS.staff : ACCESS.operate };
    });
    app.addHook('preHandler', async (request) => {
      const user = userOf(request);
      let id = user.username;
      if (user === LOCAL_ADMIN) {
        // open mode (no accounts, loopback only): an x-user header may name the operator
        const named = request.headers['x-user'];
        if (typeof named === 'string' && /^[\p{L}\p{N}_.@-]{1,64}$/u.test(named)) id = named;
      }
      actors.set(request, { type: 'operator', id });
    });
    registerOrderRoutes(app, ctx);
    registerDeskRoutes(app, ctx);
  };
}

export function workOrderRoutes(
  wo: WorkOrdersFacade,
  now: () => number,
  deviceBuilding: (id: string) => string | undefined = () => undefined,
  deviceOf: DeviceLookup = () => undefined,
): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(contractorRoutes(wo, deviceOf));
    await app.register(operatorRoutes(wo, now, deviceBuilding));
  };
}
