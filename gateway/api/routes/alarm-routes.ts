/**
 * Alarm routes: list active and historical alarms, one alarm and its journal, operator actions
 * (acknowledge one or many, shelve, unshelve, comment, reset), device modes (maintenance), and a
 * server-sent-events stream of alarm events. The operator is the `x-user` header until accounts
 * arrive with the dashboard.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { subjectKindName } from '../../model/kinds/kind-name.ts';
import { parseDuration } from '../../platform/duration.ts';
import { ALARM_KINDS, ALARM_PRIORITIES, ALARM_STATES, AlarmActionError } from '../../../rules/index.ts';
import type { AlarmQuery, AlarmRecord, AlarmsFacade } from '../../../rules/alarms/index.ts';
import { LOCAL_ADMIN } from '../../auth/accounts.ts';
import { userOf } from '../access-control.ts';
import { ApiError } from '../api-error.ts';
import { openEventStream } from '../sse-stream.ts';
import { ACCESS } from '../route-access.ts';
import { scopeOf, type BuildingScope } from '../building-scope.ts';
import { queryTime } from './query-time.ts';
import { modeView, registerDeviceModeRoutes } from './device-mode-routes.ts';

export { modeView } from './device-mode-routes.ts';

/** `a,b,c` in a query string, each checked against `values`. */
function csvOf<T extends string | number>(values: readonly T[], name: string) {
  return z.string().transform((text, ctx) => {
    const out: T[] = [];
    for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      const hit = values.find((v) => String(v) === part);
      if (hit === undefined) {
        ctx.addIssue({ code: 'custom', message: `${name}: "${part}" is not one of ${values.join(', ')}` });
        return z.NEVER;
      }
      out.push(hit);
    }
    return out;
  });
}

const filters = z.object({
  priority: csvOf(ALARM_PRIORITIES, 'priority').optional(),
  state: csvOf(ALARM_STATES, 'state').optional(),
  kind: z.string().transform((text) => text.split(',').map((p) => p.trim()).filter((p) => p !== '')).pipe(z.array(subjectKindName)).optional(),
  building: z.string().optional(),
  floor: z.string().optional(),
  device: z.string().optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

const shelfView = z.object({ by: z.string(), reason: z.string(), at: z.number(), until: z.number() }).nullable();
export const alarmView = z.object({
  id: z.string(),
  rule: z.string(),
  device: z.string(),
  kind: subjectKindName,
  site: z.string(),
  building: z.string(),
  floor: z.string(),
  title: z.string(),
  priority: z.number(),
  priorityLabel: z.string(),
  latching: z.boolean(),
  lifeSafety: z.boolean().optional(),
  parent: z.string().nullable().optional(),
  workOrder: z.object({ trade: z.string(), priority: z.number() }).nullable(),
  state: z.enum(ALARM_STATES),
  conditionActive: z.boolean(),
  raisedAt: z.number(),
  updatedAt: z.number(),
  occurrences: z.number(),
  ackedAt: z.number().nullable(),
  ackedBy: z.string().nullable(),
  clearedAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  shelved: shelfView,
  suppressed: z.boolean(),
  chattering: z.boolean(),
  assignee: z.object({ to: z.string(), by: z.string(), at: z.number() }).nullable().optional(),
  values: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
});
export const floodView = z.object({ scope: z.enum(['building', 'site']).optional(), building: z.string(), site: z.string().optional(), count: z.number(), windowMs: z.number() });
const idParams = z.object({ id: z.string().min(1) });
/** A body that may be left out entirely (POST without content). */
const optionalBody = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? {}, schema);
const comment = optionalBody(z.object({ comment: z.string().max(2000).optional() }));

const shelveDuration = z.union([z.number().positive(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDuration(v);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 30m, 2h or 1d, got "${String(v)}"` });
    return z.NEVER;
  }
  return ms;
});

/**
 * Who acts: the logged-in user. Without accounts (open mode, loopback only) an `x-user` header may
 * name the person, else actions are recorded as `local`.
 */
export function operator(req: FastifyRequest): string {
  const user = userOf(req);
  if (user !== LOCAL_ADMIN) return user.username;
  const raw = req.headers['x-user'];
  const named = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return named ? named.slice(0, 120) : user.username;
}

const READ = { access: ACCESS.staff };
const ACT = { access: ACCESS.operate };
/** A comment line on the alarm stream now and then, so proxies do not close it as idle. */
const ALARM_STREAM_HEARTBEAT_MS = 15_000;

/** An alarm the account may see, or 404 as if it did not exist. */
function visible(alarms: AlarmsFacade, id: string, scope: BuildingScope): AlarmRecord {
  const a = alarms.get(id);
  if (!a || !scope.has(a.building)) throw new ApiError('NOT_FOUND', `no alarm "${id}"`);
  return a;
}

function toQuery(q: z.output<typeof filters>): AlarmQuery {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw new ApiError('BAD_REQUEST', `from: must not be after to (${new Date(q.from).toISOString()} > ${new Date(q.to).toISOString()})`);
  }
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as AlarmQuery;
}

function apply<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AlarmActionError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

/** What the alarm routes share. */
interface AlarmRouteContext {
  readonly alarms: AlarmsFacade;
  readonly now: () => number;
  readonly deviceBuilding: (id: string) => string | undefined;
  readonly inScope: <T extends { building: string }>(scope: BuildingScope, list: readonly T[]) => T[];
}

type AlarmApp = Parameters<FastifyPluginAsyncZod>[0];

export function alarmRoutes(alarms: AlarmsFacade, now: () => number, deviceBuilding: (id: string) => string | undefined = () => undefined): FastifyPluginAsyncZod {
  const inScope = <T extends { building: string }>(scope: BuildingScope, list: readonly T[]): T[] => list.filter((a) => scope.has(a.building));
  const ctx: AlarmRouteContext = { alarms, now, deviceBuilding, inScope };
  return async (app) => {
    registerAlarmLists(app, ctx);
    registerAlarmDetail(app, ctx);
    registerAlarmActions(app, ctx);
    registerDeviceModeRoutes(app, ctx.alarms, ctx.deviceBuilding);
  };
}

/** The active list (with the strip and floods) and the history. */
function registerAlarmLists(app: AlarmApp, ctx: AlarmRouteContext): void {
  const { alarms, now, deviceBuilding, inScope } = ctx;
  app.get(
    '/api/alarms',
    {
      config: READ,
      schema: {
        summary: 'Open alarms (not back to normal), newest first, with flood indication and priority meanings',
        tags: ['alarms'],
        querystring: filters,
        response: {
          200: z.object({
            alarms: z.array(alarmView),
            floods: z.array(floodView),
            priorities: z.record(z.string(), z.string()),
            /** Open priority-1 / life-safety alarms that are shelved or suppressed: always shown in the strip. */
            hiddenLifeSafety: z.array(alarmView),
            /** Life-safety devices in maintenance / out of service: their alarms are suppressed. */
            lifeSafetyModes: z.array(modeView),
          }),
        },
      },
    },
    async (req) => {
      const scope = scopeOf(req);
      return {
        alarms: inScope(scope, alarms.active(toQuery(req.query)) as AlarmRecord[]),
        floods: inScope(scope, alarms.floods()),
        priorities: { ...alarms.priorities() },
        hiddenLifeSafety: inScope(scope, alarms.hiddenLifeSafety()),
        lifeSafetyModes: alarms.deviceModes().filter((m) => m.lifeSafety === true && (scope.all || scope.has(deviceBuilding(m.device)))),
      };
    },
  );

  app.get(
    '/api/alarms/history',
    {
      config: READ,
      schema: {
        summary: 'Alarms open at any time within [from, to] (default: the last 24 hours), newest first',
        tags: ['alarms'],
        querystring: filters,
        response: { 200: z.object({ from: z.number(), to: z.number(), alarms: z.array(alarmView) }) },
      },
    },
    async (req) => {
      const q = toQuery(req.query);
      const to = q.to ?? now();
      const from = q.from ?? to - 86_400_000;
      return { from, to, alarms: inScope(scopeOf(req), alarms.history({ ...q, from, to })) };
    },
  );
}

/** The event stream, one alarm, its journal. */
function registerAlarmDetail(app: AlarmApp, ctx: AlarmRouteContext): void {
  const { alarms } = ctx;
  app.get(
    '/api/alarms/stream',
    { exposeHeadRoute: false, config: READ, schema: { summary: 'Server-sent events: every alarm event (AlarmEvent JSON), `event:` is its type', tags: ['alarms'] } },
    (req, reply) => {
      const scope = scopeOf(req);
      let off: () => void = () => undefined;
      const stream = openEventStream(reply, { heartbeatMs: ALARM_STREAM_HEARTBEAT_MS, onClose: () => off() });
      stream.comment('alarm events');
      off = alarms.onEvent((e) => {
        if (scope.has(e.alarm.building)) stream.send(e.type, e);
      });
      if (stream.closed) off();
    },
  );

  app.get(
    '/api/alarms/:id',
    { config: READ, schema: { summary: 'One alarm', tags: ['alarms'], params: idParams, response: { 200: alarmView } } },
    async (req) => visible(alarms, req.params.id, scopeOf(req)),
  );

  app.get(
    '/api/alarms/:id/journal',
    {
      config: READ,
      schema: {
        summary: 'Every transition of one alarm: who, when, why, and the values that caused it',
        tags: ['alarms'],
        params: idParams,
        response: {
          200: z.object({
            alarm: alarmView,
            journal: z.array(
              z.object({
                seq: z.number(),
                at: z.number(),
                type: z.string(),
                fromState: z.string().nullable(),
                toState: z.string(),
                by: z.string().nullable(),
                text: z.string().nullable(),
                values: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      visible(alarms, req.params.id, scopeOf(req));
      const journal = apply(() => alarms.journal(req.params.id));
      return { alarm: alarms.get(req.params.id) as AlarmRecord, journal };
    },
  );
}

/** Acknowledge (one or many), reset, assign, shelve, unshelve, comment. */
function registerAlarmActions(app: AlarmApp, ctx: AlarmRouteContext): void {
  const { alarms } = ctx;
  app.post(
    '/api/alarms/ack',
    {
      config: ACT,
      schema: {
        summary: 'Acknowledge several alarms; each gets its own result',
        tags: ['alarms'],
        body: z.object({ ids: z.array(z.string().min(1)).min(1).max(1000), comment: z.string().max(2000).optional() }),
        response: {
          200: z.object({
            results: z.array(z.object({ id: z.string(), ok: z.boolean(), state: z.enum(ALARM_STATES).optional(), error: z.string().optional() })),
          }),
        },
      },
    },
    async (req) => {
      const by = operator(req);
      const scope = scopeOf(req);
      const results = req.body.ids.map((id) => {
        try {
          visible(alarms, id, scope);
          return { id, ok: true, state: alarms.acknowledge(id, by, req.body.comment).state };
        } catch (err) {
          if (err instanceof AlarmActionError || err instanceof ApiError) return { id, ok: false, error: err.message };
          throw err;
        }
      });
      return { results };
    },
  );

  const action = (path: string, summary: string, body: z.ZodType, run: (id: string, by: string, body: never) => AlarmRecord): void => {
    app.post(
      `/api/alarms/:id/${path}`,
      { config: ACT, schema: { summary, tags: ['alarms'], params: idParams, body, response: { 200: alarmView } } },
      async (req) => {
        visible(alarms, req.params.id, scopeOf(req));
        return apply(() => run(req.params.id, operator(req), req.body as never));
      },
    );
  };
  action('ack', 'Acknowledge one alarm', comment, (id, by, b: z.output<typeof comment>) => alarms.acknowledge(id, by, b.comment));
  action('reset', 'Reset a latching alarm (acknowledged, condition no longer active)', comment, (id, by, b: z.output<typeof comment>) =>
    alarms.reset(id, by, b.comment),
  );
  const assignBody = z.object({ to: z.string().trim().min(1, 'name the operator').max(120), comment: z.string().max(2000).optional() });
  action('assign', 'Assign an open alarm to an operator (journaled: who, when, to whom)', assignBody, (id, by, b: z.output<typeof assignBody>) =>
    alarms.assign(id, b.to, by, b.comment),
  );
  const shelveBody = z.object({ reason: z.string().trim().min(1, 'a reason is required'), duration: shelveDuration });
  app.post(
    '/api/alarms/:id/shelve',
    {
      config: ACT,
      schema: {
        summary: 'Shelve an alarm for a while, with a reason. Priority-1 and life-safety alarms: admins only, at most 30 min by default (403 SHELVE_NOT_ALLOWED for an operator)',
        tags: ['alarms'],
        params: idParams,
        body: shelveBody,
        response: { 200: alarmView },
      },
    },
    async (req) => apply(() => alarms.shelve(req.params.id, operator(req), req.body.reason, req.body.duration, userOf(req).role === 'admin' ? 'admin' : 'operator')),
  );
  action('unshelve', 'End the shelf of an alarm', optionalBody(z.object({})), (id, by) => alarms.unshelve(id, by));
  const commentBody = z.object({ text: z.string().trim().min(1, 'a comment needs text').max(2000) });
  action('comment', 'Add a note to an alarm', commentBody, (id, by, b: z.output<typeof commentBody>) => alarms.comment(id, by, b.text));
}
