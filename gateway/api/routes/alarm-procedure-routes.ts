/**
 * Response procedures on alarms (#22.7): `GET /api/alarms/:id/procedure` (the rule's cause,
 * consequence, steps with who ticked each and when, whom to call; `procedure: null` when the rule
 * has none) and `POST /api/alarms/:id/procedure/steps/:step` `{ done }` (tick or untick, journaled
 * on the alarm as `procedure-step`; audited like every change). Building scopes apply (another
 * building's alarm is 404).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlarmActionError, type AlarmsFacade } from '../../../rules/index.ts';
import { ApiError } from '../api-error.ts';
import { scopeOf } from '../building-scope.ts';
import { ACCESS } from '../route-access.ts';
import { operator } from './alarm-routes.ts';

const text = z.object({ 'zh-CN': z.string(), en: z.string() });
const procedureView = z.object({
  alarmId: z.string(),
  rule: z.string(),
  cause: text,
  consequence: text,
  call: z.array(z.object({ who: text, phone: z.string().optional() })).readonly(),
  steps: z.array(z.object({ step: z.number(), text, done: z.boolean(), by: z.string().nullable(), at: z.number().nullable() })).readonly(),
});

function apply<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AlarmActionError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

export function alarmProcedureRoutes(alarms: AlarmsFacade): FastifyPluginAsyncZod {
  const visible = (id: string, scope: ReturnType<typeof scopeOf>): void => {
    const a = alarms.get(id);
    if (!a || !scope.has(a.building)) throw new ApiError('NOT_FOUND', `no alarm "${id}"`);
  };
  return async (app) => {
    app.get(
      '/api/alarms/:id/procedure',
      {
        config: { access: ACCESS.staff },
        schema: {
          summary: "The alarm's response procedure as a checklist: cause, consequence, steps (who ticked each, when), whom to call",
          tags: ['alarms'],
          params: z.object({ id: z.string().min(1) }),
          response: { 200: z.object({ procedure: procedureView.nullable() }) },
        },
      },
      async (req) => {
        visible(req.params.id, scopeOf(req));
        return { procedure: apply(() => alarms.procedure(req.params.id)) };
      },
    );

    app.post(
      '/api/alarms/:id/procedure/steps/:step',
      {
        config: { access: ACCESS.operate },
        schema: {
          summary: 'Tick (done: true) or untick a step of the alarm’s response procedure; journaled with who and when',
          tags: ['alarms'],
          params: z.object({ id: z.string().min(1), step: z.coerce.number().int().min(1).max(30) }),
          body: z.object({ done: z.boolean() }),
          response: { 200: z.object({ procedure: procedureView }) },
        },
      },
      async (req) => {
        visible(req.params.id, scopeOf(req));
        return { procedure: apply(() => alarms.tickProcedureStep(req.params.id, req.params.step, req.body.done, operator(req))) };
      },
    );
  };
}
