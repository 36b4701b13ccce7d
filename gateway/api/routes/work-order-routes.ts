/**
 * Work-order API. Two encapsulated plugins, each declaring its access (route-access.ts) and setting the actor:
 *  - contractors (`/api/contractor/work-orders`): a contractor session or bearer token; each sees and changes only its own orders (403);
 *  - operators (`/api/work-orders`): the logged-in operator (role operator or admin; engineers may read);
 *    with no accounts configured (open mode, loopback only) an `x-user` header may name the operator.
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { kindName } from '../../model/kinds/kind-name.ts';
import { ATTACHMENT_KINDS, MAX_PHOTO_BYTES, MAX_SIGNATURE_BYTES, WORK_ORDER_SOURCES, WORK_ORDER_STATUSES, WorkOrderError } from '../../../rules/index.ts';
import type { Actor, WorkOrder, WorkOrderDetail, WorkOrdersFacade } from '../../../rules/work-orders/index.ts';
import { LOCAL_ADMIN } from '../../auth/accounts.ts';
import { userOf } from '../access-control.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';
import { requireWholeSite, scopeOf, type BuildingScope } from '../building-scope.ts';
import { queryTime } from './query-time.ts';
import type { DeviceInfo } from '../../model/device.ts';

const priority = z.coerce.number().int().min(1).max(4).transform((p) => p as 1 | 2 | 3 | 4);
const status = z.enum(WORK_ORDER_STATUSES);
const idParams = z.object({ id: z.coerce.number().int().positive() });
const note = z.string().trim().min(1).max(4000);

const workOrderView = z.object({
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

const journalView = z.object({
  seq: z.number(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  from: status.nullable(),
  to: status.nullable(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});

const attachmentView = z.object({ id: z.number(), kind: z.enum(ATTACHMENT_KINDS), mime: z.string(), size: z.number(), at: z.number(), actor: z.string() });
const attachmentParams = z.object({ id: z.coerce.number().int().positive(), attachment: z.coerce.number().int().positive() });

const detailView = workOrderView.extend({
  journal: z.array(journalView),
  attachments: z.array(attachmentView),
  deliveries: z.array(z.object({ id: z.string(), recipient: z.string(), channel: z.string(), event: z.string(), status: z.string(), attempts: z.number(), lastError: z.string().nullable() })),
});

const listView = z.object({ workOrders: z.array(workOrderView) });

const durationStats = z.object({ count: z.number(), meanMs: z.number().nullable(), p50Ms: z.number().nullable(), p90Ms: z.number().nullable(), maxMs: z.number().nullable() });

/** Map a refusal of the service to the API's error catalogue, keeping the field it names. */
function apiError(err: unknown): unknown {
  if (!(err instanceof WorkOrderError)) return err;
  const code = ({ not_found: 'NOT_FOUND', forbidden: 'FORBIDDEN', conflict: 'CONFLICT', bad_request: 'BAD_REQUEST', alarm_active: 'ALARM_STILL_ACTIVE' } as const)[err.code];
  return new ApiError(code, err.message, err.field ? { field: err.field } : undefined);
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw apiError(err);
  }
}

type View = z.output<typeof workOrderView>;
type DetailView = z.output<typeof detailView>;

const view = (o: WorkOrder): View => ({ ...o, alarmIds: [...o.alarmIds], location: o.location ? { ...o.location } : null });
const detail = (o: WorkOrderDetail): DetailView => ({
  ...view(o),
  journal: o.journal.map((j) => ({ ...j })),
  attachments: o.attachments.map((a) => ({ ...a })),
  deliveries: o.deliveries.map((d) => ({ ...d })),
});

/** A signature as the dashboard sends it: a PNG data URL or plain base64. */
const signature = z
  .string()
  .max(Math.ceil((MAX_SIGNATURE_BYTES * 4) / 3) + 64, `at most ${MAX_SIGNATURE_BYTES} bytes of PNG`)
  .transform((s, ctx) => {
    const b64 = s.replace(/^data:image\/png;base64,/, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      ctx.addIssue({ code: 'custom', message: 'expected a PNG as a data URL (data:image/png;base64,...) or base64' });
      return z.NEVER;
    }
    return new Uint8Array(Buffer.from(b64, 'base64'));
  });

/** An image answered as itself: never sniffed, never run, never framed. */
function sendImage(reply: FastifyReply, file: { readonly mime: string; readonly bytes: Uint8Array }): FastifyReply {
  return reply
    .header('content-type', file.mime)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, max-age=3600')
    .send(Buffer.from(file.bytes));
}

const actors = new WeakMap<FastifyRequest, Actor>();

function actorOf(request: FastifyRequest): Actor {
  const actor = actors.get(request);
  if (!actor) throw new ApiError('UNAUTHORIZED', 'not authenticated');
  return actor;
}

/** What a contractor may know of a device: its name, kind and place — no telemetry. */
export type DeviceLookup = (id: string) => DeviceInfo | undefined;

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
    app.post(
      `${base}/:id/resolve`,
      {
        schema: {
          summary: 'Report the fault fixed (an operator verifies and closes), optionally with the signature of whoever accepts the work (a PNG, stored with the order)',
          tags: ['work orders (contractor)'],
          params: idParams,
          body: z.object({ note, signature: signature.optional() }),
          response: { 200: workOrderView },
        },
      },
      async (req) => view(call(() => wo.resolve(req.params.id, actorOf(req), req.body.note, req.body.signature))),
    );

    // A photo is the request body itself (image/jpeg, image/png or image/webp). Whatever the
    // Content-Type, the bytes decide: anything but those images is refused with a clear error.
    await app.register(async (scope) => {
      const photos = scope.withTypeProvider<ZodTypeProvider>();
      photos.removeAllContentTypeParsers();
      photos.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES }, (_req, body, done) => done(null, body));
      photos.post(
        `${base}/:id/photos`,
        {
          schema: {
            summary: `Add a photo to one of the caller’s orders (the body is the image: JPEG, PNG or WebP, at most ${MAX_PHOTO_BYTES} bytes)`,
            tags: ['work orders (contractor)'],
            params: idParams,
            response: { 201: attachmentView },
          },
        },
        async (req, reply) => {
          const body = req.body;
          if (!Buffer.isBuffer(body)) throw new ApiError('BAD_REQUEST', 'photo: send the image as the request body (Content-Type image/jpeg, image/png or image/webp)', { field: 'photo' });
          const added = call(() => wo.addPhoto(req.params.id, actorOf(req), new Uint8Array(body)));
          return reply.status(201).send({ ...added });
        },
      );
    });

    app.get(
      `${base}/:id/attachments/:attachment`,
      { schema: { summary: 'A photo or signature of one of the caller’s orders (the image itself)', tags: ['work orders (contractor)'], params: attachmentParams } },
      async (req, reply) => sendImage(reply, call(() => wo.attachment(req.params.id, req.params.attachment, actorOf(req)))),
    );

    app.get(
      '/api/contractor/devices',
      {
        schema: {
          summary: 'Names, kinds and places of the devices of the caller’s orders (no telemetry, no other devices)',
          tags: ['work orders (contractor)'],
          response: {
            200: z.object({
              devices: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), location: z.object({ building: z.string(), floor: z.string() }) })),
            }),
          },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const ids = new Set(wo.list({ contractor: actor.id, limit: 1000 }).flatMap((o) => (o.device === null ? [] : [o.device])));
        const devices = [...ids].flatMap((id) => {
          const d = deviceOf(id);
          if (!d) return [];
          return [{ id: d.id, name: d.name, kind: d.kind, location: { building: d.location.building, floor: d.location.floor } }];
        });
        return { devices };
      },
    );
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
    const tags = ['work orders (operator)'];
    const base = '/api/work-orders';

    app.get(
      base,
      {
        schema: {
          summary: 'Work orders with filters, newest first',
          tags,
          querystring: z.object({
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
          }),
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

    app.post(
      base,
      {
        schema: {
          summary: 'Create a work order by hand',
          tags,
          body: z.object({
            device: z.string().min(1),
            trade: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected an identifier such as "pumps"'),
            priority: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
            title: z.string().trim().min(1).max(500),
            contractor: z.string().optional(),
            fault: z.string().min(1).optional(),
          }),
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

    app.get(
      `${base}/dead-letters`,
      {
        schema: {
          summary: 'Messages that could not be delivered after every attempt',
          tags,
          response: {
            200: z.object({
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
            }),
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
          response: {
            200: z.object({
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
            }),
          },
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

    const action = <B extends z.ZodType>(path: string, summary: string, body: B, run: (id: number, actor: Actor, body: z.output<B>) => WorkOrder): void => {
      app.post(`${base}/:id/${path}`, { schema: { summary, tags, params: idParams, body, response: { 200: workOrderView } } }, async (req) => {
        visible(req.params.id, scopeOf(req));
        return view(call(() => run(req.params.id, actorOf(req), req.body as z.output<B>)));
      });
    };
    const closeBody = z.object({ note: note.optional(), override: z.object({ reason: note }).optional() }).prefault({});
    app.post(
      `${base}/:id/close`,
      {
        schema: {
          summary: 'Verify the fix and close. Refused (409 ALARM_STILL_ACTIVE) while an alarm of the order is active; an admin may override with a reason (journaled)',
          tags,
          params: idParams,
          body: closeBody,
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
    action('reassign', 'Give the order to another contractor (the old one is told it was withdrawn)', z.object({ contractor: z.string().min(1), note: note.optional() }), (id, a, b) =>
      wo.reassign(id, b.contractor, a, b.note),
    );
    action('cancel', 'Cancel the order', z.object({ reason: note }), (id, a, b) => wo.cancel(id, a, b.reason));
    action('reopen', 'Reopen a resolved, closed or cancelled order (deadlines start again)', z.object({ reason: note }), (id, a, b) => wo.reopen(id, a, b.reason));
    action('notes', 'Add a note to the journal', z.object({ note }), (id, a, b) => wo.addNote(id, a, b.note));
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
