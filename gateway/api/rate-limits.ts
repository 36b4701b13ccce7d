/**
 * Request rate limits: per client address (@fastify/rate-limit; the address is `request.ip`, which
 * honours `api.trustProxy`) and for the whole API (a flood spread over many addresses). Both answer
 * 429 with Retry-After. Failed logins have their own, tighter limits per user and per address
 * (gateway/auth/accounts.ts), and wrong contractor tokens per address (access-control.ts).
 */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../model/clock.ts';
import type { ApiSettings } from './api-schema.ts';
import { ApiError } from './api-error.ts';

export async function installRateLimits(app: FastifyInstance, limits: ApiSettings['rateLimit'], clock: Clock): Promise<void> {
  const { perAddress, global } = limits;
  if (global.max > 0) {
    let windowStart = clock.monotonic();
    let count = 0;
    app.addHook('onRequest', async (_request, reply) => {
      const now = clock.monotonic();
      if (now - windowStart >= global.window) {
        windowStart = now;
        count = 0;
      }
      if (++count > global.max) {
        const after = Math.max(1, Math.ceil((global.window - (now - windowStart)) / 1000));
        reply.header('retry-after', after);
        throw new ApiError('TOO_MANY_REQUESTS', `the gateway is answering at most ${global.max} requests per ${global.window / 1000} s; try again in ${after} s`);
      }
    });
  }
  if (perAddress.max > 0) {
    await app.register(fastifyRateLimit, {
      global: false,
      max: perAddress.max,
      timeWindow: perAddress.window,
      errorResponseBuilder: (request, context) =>
        new ApiError('TOO_MANY_REQUESTS', `too many requests from ${request.ip}: at most ${context.max} per ${perAddress.window / 1000} s; try again in ${context.after}`),
    });
    // an app-level hook, not the plugin's per-route one: it must count requests that access control
    // refuses and paths that match no route too, so it runs before them
    app.addHook('onRequest', app.rateLimit());
  }
}
