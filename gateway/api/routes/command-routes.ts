/**
 * Commands to devices (gateway/commands/): the commands a device's kind offers with whether the
 * caller may send each, sending one (with a reason; the console asks for a second confirmation
 * before it calls), and the command journal. Contractors never reach these routes; among the other
 * roles only those the site grants the `command` permission (`commands.roles`) may send. The send
 * answers once the read-back confirmed the write, or did not within the timeout, or the write failed.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandsFacade } from '../../commands/command-service.ts';
import type { DeviceInfo } from '../../model/device.ts';
import { userOf } from '../access-control.ts';
import { ApiError } from '../api-error.ts';
import { scopeOf } from '../building-scope.ts';
import { ACCESS } from '../route-access.ts';

const labels = z.object({ en: z.string(), 'zh-CN': z.string() });
const commandView = z.object({
  name: z.string(),
  label: labels,
  description: z.string(),
  allowed: z.boolean(),
  refusal: z.object({ code: z.string(), message: z.string() }).optional(),
});
const entryView = z.object({
  id: z.number(),
  at: z.number(),
  device: z.string(),
  command: z.string(),
  username: z.string(),
  role: z.string(),
  reason: z.string(),
  result: z.enum(['sent', 'confirmed', 'not_confirmed', 'failed']),
  detail: z.string().nullable(),
  finishedAt: z.number().nullable(),
});

export function commandRoutes(commands: CommandsFacade, devices: () => readonly DeviceInfo[]): FastifyPluginAsyncZod {
  return async (app) => {
    const visibleDevice = (id: string, req: Parameters<typeof scopeOf>[0]): DeviceInfo => {
      const d = devices().find((x) => x.id === id);
      if (!d || !scopeOf(req).has(d.location.building)) throw new ApiError('NOT_FOUND', `no device "${id}"`);
      return d;
    };
    app.get(
      '/api/devices/:id/commands',
      {
        config: { access: ACCESS.staff },
        schema: {
          summary: "A device's commands, each with whether the caller may send it now (and why not)",
          tags: ['commands'],
          params: z.object({ id: z.string() }),
          response: { 200: z.object({ commands: z.array(commandView), journal: z.array(entryView) }) },
        },
      },
      async (req) => {
        const d = visibleDevice(req.params.id, req);
        return { commands: commands.available(d.id, userOf(req).role) ?? [], journal: commands.journal({ device: d.id, limit: 20 }) };
      },
    );
    app.post(
      '/api/devices/:id/commands/:command',
      {
        config: { access: ACCESS.staff },
        schema: {
          summary: 'Send a command (command permission; answers with the result of the read-back: confirmed, not_confirmed or failed)',
          tags: ['commands'],
          params: z.object({ id: z.string(), command: z.string() }),
          body: z.strictObject({ reason: z.string().trim().min(3, 'give a reason (at least 3 characters)').max(500) }),
          response: { 200: entryView },
        },
      },
      async (req) => {
        const d = visibleDevice(req.params.id, req);
        const user = userOf(req);
        const r = await commands.send({ device: d.id, command: req.params.command, username: user.username, role: user.role, reason: req.body.reason });
        if (!r.ok) throw new ApiError(r.code, r.message);
        return r.entry;
      },
    );
    app.get(
      '/api/commands/journal',
      {
        config: { access: ACCESS.staff },
        schema: {
          summary: 'Commands sent, newest first (user, reason, result)',
          tags: ['commands'],
          querystring: z.object({ device: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: z.object({ entries: z.array(entryView) }) },
        },
      },
      async (req) => {
        const scope = scopeOf(req);
        if (req.query.device !== undefined) visibleDevice(req.query.device, req);
        const building = new Map(devices().map((d) => [d.id, d.location.building]));
        return { entries: commands.journal({ device: req.query.device, limit: req.query.limit }).filter((e) => scope.has(building.get(e.device))) };
      },
    );
  };
}
