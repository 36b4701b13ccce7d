import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { ACCESS } from '../route-access.ts';

/** GET /metrics: Prometheus text format (prom-client registry of the gateway). */
export function metricsRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    // public like any scrape target (README: bind to loopback or front with a proxy)
    app.get('/metrics', { config: { access: ACCESS.public }, schema: { summary: 'Prometheus metrics (telemetry spool, writes, process)', tags: ['health'] } }, async (_request, reply) => {
      const scrape = deps.metrics ? await deps.metrics() : { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' };
      return reply.header('content-type', scrape.contentType).send(scrape.body);
    });
  };
}
