/**
 * The API's error replies: every failure answers `{ error: { code, message, details? } }` (zod
 * validation → 400 naming the field, ApiError → its status and code, other 4xx as BAD_REQUEST,
 * anything else 500 INTERNAL and logged), and an unknown route answers 404 NOT_FOUND.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, type ErrorBody } from './api-error.ts';

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let body: ErrorBody;
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const problems = error.validation.map((v) => {
        const field = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        return `${field || where}: ${v.message}`;
      });
      body = { error: { code: 'BAD_REQUEST', message: problems.join('; '), details: { in: where } } };
      return reply.status(400).send(body);
    }
    if (error instanceof ApiError) {
      body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
      return reply.status(error.statusCode).send(body);
    }
    if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      body = { error: { code: 'BAD_REQUEST', message: error.message } };
      return reply.status(error.statusCode).send(body);
    }
    request.log.error({ err: error, url: request.url }, 'api request failed');
    body = { error: { code: 'INTERNAL', message: 'internal error; see the gateway log' } };
    return reply.status(500).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } };
    return reply.status(404).send(body);
  });
}
