/**
 * `GET /api/alarms/kpis?from=&to=[&building=]`: alarm-system performance from the journal
 * (ISA-18.2 / EEMUA 191 figures, each with its target and verdict; rules/alarms/alarm-kpis.ts).
 * Staff only; an account limited to buildings gets its buildings' figures (a building outside its
 * scope is 404, as if it did not exist).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlarmsFacade } from '../../../rules/index.ts';
import { ApiError } from '../api-error.ts';
import { scopeOf } from '../building-scope.ts';
import { ACCESS } from '../route-access.ts';
import { queryTime } from './query-time.ts';

const DAY = 86_400_000;
/** The longest range one request may cover (the journal of a busy site over a year stays bounded). */
const MAX_RANGE = 366 * DAY;

export function alarmKpiRoutes(alarms: AlarmsFacade, now: () => number): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/alarms/kpis',
      {
        config: { access: ACCESS.staff },
        schema: {
          tags: ['alarms'],
          summary: 'Alarm KPIs (ISA-18.2 / EEMUA 191) over a time range, from the journal',
          querystring: z.object({ from: queryTime.optional(), to: queryTime.optional(), building: z.string().min(1).max(64).optional() }),
        },
      },
      async (req) => {
        const to = req.query.to ?? now();
        const from = req.query.from ?? to - 7 * DAY;
        if (from >= to) throw new ApiError('BAD_REQUEST', `from: must be before to (from ${new Date(from).toISOString()}, to ${new Date(to).toISOString()})`);
        if (to - from > MAX_RANGE) throw new ApiError('BAD_REQUEST', `from: the range may cover at most 366 days`);
        const scope = scopeOf(req);
        const building = req.query.building;
        if (building !== undefined && !scope.has(building)) throw new ApiError('NOT_FOUND', `no building "${building}"`);
        const buildings = building !== undefined ? [building] : scope.all ? undefined : [...scope.buildings];
        return alarms.kpis(from, to, buildings, building ?? null);
      },
    );
  };
}
