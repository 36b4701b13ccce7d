/**
 * Administration of the running gateway: the log level (GET/PUT /api/admin/log-level), admins only.
 * A change is audited with the level before and after, and logged at warn under the level it
 * replaces (so it shows even when the new level hides warnings).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../auth/audit-log.ts';
import { LOG_LEVELS, type LogLevelControl } from '../../log/log-level.ts';
import { userOf } from '../access-control.ts';
import { ACCESS } from '../route-access.ts';

const levelView = z.object({ level: z.enum(LOG_LEVELS), levels: z.array(z.enum(LOG_LEVELS)) });

export function adminRoutes(logLevel: LogLevelControl, audit: AuditLog): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/admin/log-level',
      {
        config: { access: ACCESS.admin },
        schema: { summary: 'The current log level', tags: ['admin'], response: { 200: levelView } },
      },
      async () => ({ level: logLevel.get(), levels: [...LOG_LEVELS] }),
    );
    app.put(
      '/api/admin/log-level',
      {
        config: { access: ACCESS.admin, audit: 'self' },
        schema: {
          summary: 'Change the log level of every component at once, until the next restart (LOG_LEVEL sets it at start)',
          tags: ['admin'],
          body: z.object({ level: z.enum(LOG_LEVELS) }).strict(),
          response: { 200: levelView.extend({ previous: z.enum(LOG_LEVELS) }) },
        },
      },
      async (req) => {
        const user = userOf(req);
        const previous = logLevel.get();
        req.log.warn({ from: previous, to: req.body.level, by: user.username }, `log level changed from ${previous} to ${req.body.level}`);
        logLevel.set(req.body.level);
        audit.record({ username: user.username, role: user.role, address: req.ip, via: user.via, action: 'PUT /api/admin/log-level', target: 'log-level', detail: { from: previous, to: req.body.level } });
        return { level: logLevel.get(), previous, levels: [...LOG_LEVELS] };
      },
    );
  };
}
