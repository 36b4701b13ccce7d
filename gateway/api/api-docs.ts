/**
 * The OpenAPI description of the API (from the route zod schemas) and its viewer at /docs.
 */
import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { declarePublic } from './access-control.ts';

export async function installApiDocs(app: FastifyInstance, site: { name: string; id: string }): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Facility gateway API', version: '0.1.0', description: `Site ${site.name} (${site.id})` },
    },
    transform: jsonSchemaTransform,
  });
  // the API description is public (it describes open code, not data); declared so in its own scope
  await app.register(async (docs) => {
    declarePublic(docs);
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, inlineStyles: true };
    });
    await docs.register(fastifySwaggerUi, { routePrefix: '/docs' });
  });
}
