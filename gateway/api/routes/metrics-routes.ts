import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';

/** GET /metrics: Prometheus text format (prom-client registry of the gateway). */
export function metricsRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics (telemetry spool, writes, process)', tags: ['health'] } }, async (_request, reply) => {
      const scrape = deps.metrics ? await deps.metrics() : { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' };
      return reply.header('content-type', scrape.contentType).send(scrape.body);
    });
  };
}
