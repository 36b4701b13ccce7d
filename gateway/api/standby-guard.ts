/**
 * Warm standby: the standby gateway answers reads, but refuses changes (acknowledging, shelving,
 * work-order actions, ...) with 503 naming why, since its journals are not replicated to the active
 * one. Logging in and out, and the administration of the gateway itself (log level, reload), stay
 * open on both.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.ts';

const ALWAYS = new Set(['/api/auth/login', '/api/auth/logout', '/api/admin/log-level', '/api/admin/reload']);
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installStandbyGuard(app: FastifyInstance, acting: () => boolean): void {
  app.addHook('preHandler', async (request) => {
    if (SAFE.has(request.method) || request.is404) return;
    if (ALWAYS.has(request.routeOptions.url ?? '')) return;
    if (!acting()) throw new ApiError('UNAVAILABLE', 'this gateway is the warm standby: changes are made on the active gateway (gateway_standby_active 1)');
  });
}
