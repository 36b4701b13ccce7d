import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import { kindView } from './kind-view.ts';
import { ACCESS } from '../route-access.ts';
import { scopeOf } from '../building-scope.ts';

export function siteRoutes(deps: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/site',
      {
        config: { access: ACCESS.anyUser },
        schema: {
          summary: 'The site: name, time zone, buildings and floors, and the device kinds (points, labels, conditions)',
          tags: ['site'],
          response: {
            200: z.object({
              id: z.string(),
              name: z.string(),
              timezone: z.string(),
              buildings: z.array(z.object({ id: z.string(), name: z.string(), floors: z.array(z.object({ id: z.string(), name: z.string() })) })),
              kinds: z.array(kindView),
            }),
          },
        },
      },
      // an account limited to buildings is shown only those
      async (req) => ({ ...deps.site, buildings: deps.buildings().filter((b) => scopeOf(req).has(b.id)), kinds: deps.kinds().map((k) => kindView.parse(k)) }),
    );
  };
}
