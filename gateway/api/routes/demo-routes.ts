/**
 * Demo mode only (registered when the gateway runs with `--demo`): list the faults a demo can be
 * given and start or end one on the simulators. Engineers (and admins) only; the change is audited
 * like every other accepted change.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEMO_FAULTS, DemoFaultError, type DemoFaults } from '../../demo/demo-faults.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';

const status = z.object({
  name: z.string(),
  scenario: z.string(),
  description: z.string(),
  devices: z.array(z.string()),
  active: z.boolean(),
});

export function demoRoutes(faults: DemoFaults): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/demo/faults',
      {
        config: { access: ACCESS.staff },
        schema: { summary: 'Faults the demo can be given (demo mode only)', tags: ['demo'], response: { 200: z.object({ faults: z.array(status) }) } },
      },
      async () => ({ faults: faults.list() }),
    );
    app.post(
      '/api/demo/faults',
      {
        config: { access: ['engineer', 'admin'] },
        schema: {
          summary: 'Start (or end) a demo fault on the simulators (demo mode only, engineers)',
          tags: ['demo'],
          body: z.object({
            fault: z.enum(DEMO_FAULTS.map((f) => f.name) as [string, ...string[]]),
            action: z.enum(['begin', 'end']).default('begin'),
          }),
          response: { 200: status },
        },
      },
      async (request, reply) => {
        try {
          const result = faults.apply(request.body.fault, request.body.action);
          request.log.warn({ fault: result.name, action: request.body.action, devices: result.devices }, 'demo fault applied');
          return reply.send(result);
        } catch (err) {
          if (err instanceof DemoFaultError) {
            throw new ApiError(err.code, err.message);
          }
          throw err;
        }
      },
    );
  };
}
