import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import { ACCESS } from '../route-access.ts';

export function healthRoutes(deps: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/health',
      {
        config: { access: ACCESS.staff },
        schema: {
          summary: 'Process, connectors, storage, queues and trouble conditions',
          tags: ['health'],
          response: { 200: z.looseObject({ status: z.enum(['ok', 'degraded']) }) },
        },
      },
      async () => ({ ...deps.health() }),
    );
  };
}
