/**
 * POST /api/admin/reload: reload the site file while the gateway runs (admins only; the same as
 * SIGHUP). The new file is validated first; on an error, or a change only a restart can apply, the
 * running config stays, the trouble condition `config-reload` says why and the answer is 409 with
 * the errors. The reloader audits every attempt with its diff (secrets redacted).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReloadActor, ReloadResult } from '../../reload/config-reload.ts';
import { ApiError } from '../api-error.ts';
import { userOf } from '../access-control.ts';
import { ACCESS } from '../route-access.ts';

const change = z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() });

export function reloadRoutes(reload: (by: ReloadActor) => Promise<ReloadResult>): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/admin/reload',
      {
        config: { access: ACCESS.admin, audit: 'self' },
        schema: {
          summary: 'Reload the site file: connectors, device bindings, accounts, contractors and routing change without a restart',
          tags: ['admin'],
          response: { 200: z.object({ changes: z.array(change), restartedConnectors: z.array(z.string()) }) },
        },
      },
      async (req) => {
        const user = userOf(req);
        const result = await reload({ username: user.username, role: user.role, address: req.ip, via: user.via });
        if (!result.ok) throw new ApiError('CONFLICT', result.message, { reason: result.reason, errors: result.errors, changes: result.changes });
        return { changes: [...result.changes], restartedConnectors: [...result.restartedConnectors] };
      },
    );
  };
}
