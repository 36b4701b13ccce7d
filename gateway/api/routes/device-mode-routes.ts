/**
 * Device modes: maintenance / out of service (alarms suppressed, maintenance is planned downtime),
 * with a reason and an optional end time at which the gateway puts the device back in service on
 * its own; the list of devices not in service and the journal of mode changes.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlarmActionError, DEVICE_MODES, MAX_MODE_SPAN_MS, MODE_END_BY } from '../../../rules/index.ts';
import type { AlarmsFacade } from '../../../rules/alarms/index.ts';
import { ApiError } from '../api-error.ts';
import { ACCESS } from '../route-access.ts';
import { scopeOf } from '../building-scope.ts';
import { operator } from './alarm-routes.ts';

type App = Parameters<FastifyPluginAsyncZod>[0];

export const modeView = z.object({
  device: z.string(),
  mode: z.enum(DEVICE_MODES),
  by: z.string(),
  reason: z.string(),
  since: z.number(),
  /** When the gateway puts the device back in service on its own (epoch ms); null: when an operator does. */
  until: z.number().nullable().optional(),
  lifeSafety: z.boolean().optional(),
});

/** An end time as epoch milliseconds or an ISO 8601 date-time with its offset. */
const endTime = z.union([
  z.number().int().positive(),
  z.iso.datetime({ offset: true }).transform((t) => Date.parse(t)),
]);
const idParams = z.object({ id: z.string().min(1) });
const READ = { access: ACCESS.staff };
const ACT = { access: ACCESS.operate };

function apply<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AlarmActionError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

/** Maintenance / out-of-service modes of devices and their journal. */
export function registerDeviceModeRoutes(app: App, alarms: AlarmsFacade, deviceBuilding: (id: string) => string | undefined): void {
  app.put(
    '/api/devices/:id/mode',
    {
      config: ACT,
      schema: {
        summary: 'Put a device in maintenance / out of service (its alarms are suppressed) or back in service',
        tags: ['alarms'],
        params: idParams,
        description: `\`until\` (epoch ms or ISO 8601 with offset, in the future, at most ${MAX_MODE_SPAN_MS / 86_400_000} days ahead) is when the gateway puts the device back in service on its own (journaled and audited by \`${MODE_END_BY}\`); it survives a restart, and an end time passed while the gateway was down ends the mode at its start.`,
        body: z.object({ mode: z.enum(DEVICE_MODES), reason: z.string().max(500).default(''), until: endTime.nullable().optional() }),
        response: { 200: modeView.omit({ lifeSafety: true }) },
      },
    },
    async (req) => {
      if (!scopeOf(req).all && !scopeOf(req).has(deviceBuilding(req.params.id))) throw new ApiError('NOT_FOUND', `no device "${req.params.id}"`);
      return apply(() => alarms.setDeviceMode(req.params.id, req.body.mode, operator(req), req.body.reason, req.body.until ?? null));
    },
  );

  app.get(
    '/api/device-modes',
    {
      config: READ,
      schema: {
        summary: 'Devices not in service (maintenance or out of service)',
        tags: ['alarms'],
        response: { 200: z.object({ devices: z.array(modeView) }) },
      },
    },
    async (req) => {
      const scope = scopeOf(req);
      return { devices: alarms.deviceModes().filter((m) => scope.all || scope.has(deviceBuilding(m.device))) };
    },
  );

  app.get(
    '/api/device-modes/log',
    {
      config: READ,
      schema: {
        summary: 'Journal of device-mode changes (maintenance, out of service, back in service), newest first',
        tags: ['alarms'],
        querystring: z.object({ device: z.string().optional() }),
        response: { 200: z.object({ entries: z.array(modeView) }) },
      },
    },
    async (req) => ({ entries: alarms.deviceModeLog(req.query.device) }),
  );
}

