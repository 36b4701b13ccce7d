/**
 * Residents' side of the norms module, without login: the intake of requests and complaints from a
 * building's secret link (rate-limited per address with @fastify/rate-limit, capped per building,
 * size-limited, with a honeypot field), the private progress link, and the rating after the
 * manager's acceptance. Each accepted change is audited as `resident` (no personal data in the row).
 */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IntakeError, REQUEST_CATEGORIES, type ResidentService } from '../../../rules/index.ts';
import type { AuditLog } from '../../auth/audit-log.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';

export function intakeError(err: unknown): unknown {
  if (!(err instanceof IntakeError)) return err;
  const code = ({ not_found: 'NOT_FOUND', bad_request: 'BAD_REQUEST', too_many: 'TOO_MANY_REQUESTS', conflict: 'CONFLICT' } as const)[err.code];
  return new ApiError(code, err.message, err.field ? { field: err.field } : undefined);
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw intakeError(err);
  }
}

const submission = z.object({
  category: z.enum(REQUEST_CATEGORIES),
  place: z.string().max(200),
  description: z.string().max(20_000),
  photo: z.object({ type: z.string().max(40), base64: z.string() }).optional(),
  contact: z.object({ name: z.string().max(200).optional(), phone: z.string().max(40).optional() }).optional(),
  /** The honeypot: the form hides it; people leave it empty. */
  website: z.string().max(500).optional(),
});

export function residentRoutes(residents: ResidentService, audit: AuditLog): FastifyPluginAsyncZod {
  const limits = residents.limits;
  // base64 grows a photo by 4/3; the rest of the form is small
  const bodyLimit = Math.ceil((limits.photoMaxBytes * 4) / 3) + 64 * 1024;
  return async (app) => {
    // its own limiter (createRateLimit): the app-wide per-address hook has already run on the request
    if (!app.hasDecorator('createRateLimit')) await app.register(fastifyRateLimit, { global: false });
    const limiter =
      limits.perAddress.max > 0 ? app.createRateLimit({ max: limits.perAddress.max, timeWindow: limits.perAddress.window, keyGenerator: (req) => `resident-intake:${req.ip}` }) : undefined;
    const perAddress = limiter
      ? async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
          const r = await limiter(req);
          // (the result says isAllowed: false for every counted request; exceeded is the verdict)
          if (r.isAllowed || !r.isExceeded) return;
          reply.header('retry-after', r.ttlInSeconds);
          throw new ApiError('TOO_MANY_REQUESTS', `too many requests from ${req.ip}: at most ${r.max} per ${Math.round(limits.perAddress.window / 60_000)} min; try again in ${r.ttlInSeconds} s`);
        }
      : undefined;

    app.get(
      '/api/residents/:token/form',
      { config: { access: ACCESS.public }, schema: { summary: "A building's request form: is the link valid, which building", tags: ['residents'], params: z.object({ token: z.string().max(200) }) } },
      async (req) => {
        const building = residents.buildingOf(req.params.token);
        if (building === undefined) throw new ApiError('NOT_FOUND', 'link: no such request form (check the link or QR code of your building)');
        return { building, categories: REQUEST_CATEGORIES, limits: { descriptionMax: limits.descriptionMax, photoMaxBytes: limits.photoMaxBytes } };
      },
    );

    app.post(
      '/api/residents/:token/requests',
      {
        bodyLimit,
        config: { access: ACCESS.public, audit: 'self' },
        ...(perAddress ? { onRequest: perAddress } : {}),
        schema: { summary: 'Submit a repair request or a complaint (no login; the building link is the key)', tags: ['residents'], params: z.object({ token: z.string().max(200) }), body: submission },
      },
      async (req, reply) => {
        const out = call(() => residents.submit(req.params.token, req.body));
        if (out.kind === 'honeypot') {
          audit.record({ username: 'resident', action: 'resident.request.dropped', address: req.ip, detail: { reason: 'honeypot' } });
          // answered like a success, so a bot learns nothing; nothing was stored
          return reply.status(201).send({ received: true });
        }
        const r = out.request;
        audit.record({ username: 'resident', action: 'resident.request.submitted', target: String(r.id), address: req.ip, detail: { building: r.building, category: r.category, orderId: r.orderId } });
        return reply.status(201).send({ received: true, id: r.publicId, progress: `/#/r/progress/${r.publicId}`, respondBy: r.respondBy, closeBy: r.closeBy });
      },
    );

    app.get(
      '/api/residents/requests/:id',
      { config: { access: ACCESS.public }, schema: { summary: "A resident's private progress link", tags: ['residents'], params: z.object({ id: z.string().min(10).max(100) }) } },
      async (req) => call(() => residents.progress(req.params.id)),
    );

    app.post(
      '/api/residents/requests/:id/rating',
      {
        config: { access: ACCESS.public, audit: 'self' },
        ...(perAddress ? { onRequest: perAddress } : {}),
        schema: { summary: 'Rate the work (1-5 and a comment) after the management accepted it', tags: ['residents'], params: z.object({ id: z.string().min(10).max(100) }), body: z.object({ score: z.number().int(), comment: z.string().max(2000).optional() }) },
      },
      async (req) => {
        const r = call(() => residents.rate(req.params.id, req.body.score, req.body.comment));
        audit.record({ username: 'resident', action: 'resident.request.rated', target: String(r.id), address: req.ip, detail: { score: r.rating } });
        return call(() => residents.progress(req.params.id));
      },
    );
  };
}
