import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEVICE_KINDS } from '../../model/device-kinds.ts';
import type { DeviceInfo } from '../../model/device.ts';
import { ApiError } from '../api-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ACCESS } from '../route-access.ts';
import { scopeOf, type BuildingScope } from '../building-scope.ts';
import { queryTime } from './query-time.ts';

const pointValue = z.union([z.number(), z.boolean(), z.string()]);
const quality = z.enum(['good', 'uncertain', 'bad']);

const pointView = z.object({
  unit: z.string().nullable(),
  type: z.string(),
  value: pointValue.nullable(),
  ts: z.number().nullable(),
  quality: quality.nullable(),
});

const deviceView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(DEVICE_KINDS),
  location: z.object({ site: z.string(), building: z.string(), floor: z.string() }),
  connector: z.string(),
  online: z.boolean(),
  lastGood: z.number().nullable(),
  points: z.record(z.string(), pointView),
});

const MAX_LIMIT = 100_000;
/** Telemetry is for the control room and engineers; contractors see their work orders only. */
const STAFF = ACCESS.staff;

export function deviceRoutes(deps: ApiDeps): FastifyPluginAsyncZod {
  const view = (d: DeviceInfo): z.output<typeof deviceView> => {
    const state = deps.deviceState(d.id);
    const points: Record<string, z.output<typeof pointView>> = {};
    for (const def of deps.pointsOf(d)) {
      const p = state?.points[def.name];
      points[def.name] = { unit: def.unit ?? null, type: def.type, value: p?.value ?? null, ts: p?.ts ?? null, quality: p?.quality ?? null };
    }
    return {
      id: d.id,
      name: d.name,
      kind: d.kind,
      location: d.location,
      connector: d.connector,
      online: state?.online ?? false,
      lastGood: state?.lastGood ?? null,
      points,
    };
  };

  const find = (id: string, scope: BuildingScope): DeviceInfo => {
    const device = deps.devices().find((d) => d.id === id);
    if (!device || !scope.has(device.location.building)) throw new ApiError('NOT_FOUND', `no device "${id}"`);
    return device;
  };

  return async (app) => {
    app.get(
      '/api/devices',
      {
        config: { access: STAFF },
        schema: {
          summary: 'Every device with its location, online state and the last value of each point',
          tags: ['devices'],
          querystring: z.object({
            kind: z.enum(DEVICE_KINDS).optional(),
            building: z.string().optional(),
            floor: z.string().optional(),
          }),
          response: { 200: z.object({ devices: z.array(deviceView) }) },
        },
      },
      async (req) => {
        const { kind, building, floor } = req.query;
        const scope = scopeOf(req);
        const devices = deps
          .devices()
          .filter(
            (d) =>
              scope.has(d.location.building) &&
              (kind === undefined || d.kind === kind) &&
              (building === undefined || d.location.building === building) &&
              (floor === undefined || d.location.floor === floor),
          );
        return { devices: devices.map(view) };
      },
    );

    app.get(
      '/api/devices/:id',
      {
        config: { access: STAFF },
        schema: {
          summary: 'One device with the last value of each point',
          tags: ['devices'],
          params: z.object({ id: z.string() }),
          response: { 200: deviceView },
        },
      },
      async (req) => view(find(req.params.id, scopeOf(req))),
    );

    app.get(
      '/api/devices/:id/points/:point/history',
      {
        config: { access: STAFF },
        schema: {
          summary: 'Stored samples of one point over a time range (default: the last hour)',
          tags: ['devices'],
          params: z.object({ id: z.string(), point: z.string() }),
          querystring: z.object({
            from: queryTime.optional(),
            to: queryTime.optional(),
            limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(10_000),
          }),
          response: {
            200: z.object({
              device: z.string(),
              point: z.string(),
              unit: z.string().nullable(),
              from: z.number(),
              to: z.number(),
              samples: z.array(z.object({ ts: z.number(), value: pointValue, quality })),
            }),
          },
        },
      },
      async (req) => {
        const device = find(req.params.id, scopeOf(req));
        const def = deps.pointsOf(device).find((p) => p.name === req.params.point);
        if (!def) {
          throw new ApiError('NOT_FOUND', `device "${device.id}" (${device.kind}) has no point "${req.params.point}"`, {
            points: deps.pointsOf(device).map((p) => p.name),
          });
        }
        const to = req.query.to ?? deps.now();
        const from = req.query.from ?? to - 3_600_000;
        if (from > to) throw new ApiError('BAD_REQUEST', `from: must not be after to (${new Date(from).toISOString()} > ${new Date(to).toISOString()})`);
        const samples = await deps.history({ device: device.id, point: def.name, from, to, limit: req.query.limit });
        return {
          device: device.id,
          point: def.name,
          unit: def.unit ?? null,
          from,
          to,
          samples: samples.map((s) => ({ ts: s.ts, value: s.value, quality: s.quality })),
        };
      },
    );
  };
}
