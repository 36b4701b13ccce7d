/** Serves the built dashboard (dashboard/dist) at `/` (its pages are hash routes: `/#/alarms`). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { declarePublic } from './access-control.ts';

export const DASHBOARD_DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

export async function serveDashboard(app: FastifyInstance): Promise<boolean> {
  if (!existsSync(`${DASHBOARD_DIST}index.html`)) {
    app.log.warn({ dir: DASHBOARD_DIST }, 'dashboard not built (npm run build:dashboard); serving the API only');
    return false;
  }
  // One public route per file of the build (no wildcard): an unknown path matches no route, so it
  // gets the access hook's answer for unknown paths (401 before login) instead of a public 404.
  await app.register(async (scope) => {
    declarePublic(scope);
    await scope.register(fastifyStatic, { root: DASHBOARD_DIST, prefix: '/', index: ['index.html'], wildcard: false, cacheControl: true, maxAge: '1h' });
  });
  return true;
}
