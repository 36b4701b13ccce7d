/** Serves the built dashboard (dashboard/dist) at `/`, with the SPA's index for unknown pages. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DASHBOARD_DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

export async function serveDashboard(app: FastifyInstance): Promise<boolean> {
  if (!existsSync(`${DASHBOARD_DIST}index.html`)) {
    app.log.warn({ dir: DASHBOARD_DIST }, 'dashboard not built (npm run build:dashboard); serving the API only');
    return false;
  }
  await app.register(fastifyStatic, { root: DASHBOARD_DIST, prefix: '/', index: ['index.html'], cacheControl: true, maxAge: '1h' });
  return true;
}
