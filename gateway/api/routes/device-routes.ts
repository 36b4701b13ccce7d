import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEVICE_CONDITIONS } from '../../live/device-condition.ts';
import { kindName } from '../../model/kinds/kind-name.ts';
import type { ValueMask } from '../../privacy/badge-privacy.ts';
import type { DeviceInfo } from '../../model/device.ts';
import { REASON, type Quality } from '../../model/sample.ts';
import type { PointState } from '../../live/live-view.ts';
import { ApiError } from '../api-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ACCESS } from '../route-access.ts';
import { scopeOf, type BuildingScope } from '../building-scope.ts';
import { queryTime } from './query-time.ts';

const pointValue = z.union([z.number(), z.boolean(), z.string()]);
const quality = z.enum(['good', 'uncertain', 'bad']);

/**
 * The last sample of a point. `value` is null when nothing trustworthy was read; then `quality`
 * and `reason` say why (`uncertain` / `not yet read`, `bad` / `comms lost`, `bad` / `modbus
 * exception 2`). A point the gateway has no sample of at all is `uncertain` / `not yet read`
 * with a null `ts`.
 */
const pointView = z.object({
  unit: z.string().nullable(),
  type: z.string(),
  value: pointValue.nullable(),
  ts: z.number().nullable(),
  quality: quality.nullable(),
  /** Why the quality is not good (`not yet read`, `comms lost`, `modbus exception 2`). */
  reason: z.string().nullable(),
  /** Vendor points only (`devices[].points`): their display name in both languages; canonical points are labelled by the kind. */
  vendor: z.object({ label: z.object({ en: z.string(), 'zh-CN': z.string() }).nullable() }).optional(),
});

function qualityView(p: PointState | undefined): { quality: Quality; reason: string | null } {
  if (!p) return { quality: 'uncertain', reason: REASON.notYetRead };
  return { quality: p.quality, reason: p.reason ?? null };
}

const historySample = z.object({ ts: z.number(), value: pointValue.nullable(), quality, reason: z.string().optional() });

const deviceView = z.object({
  id: z.string(),
  name: z.string(),
  kind: kindName,
  location: z.object({ site: z.string(), building: z.string(), floor: z.string() }),
  connector: z.string(),
  /** The connector reports the device reachable (false before its first sample and while comms-lost). */
  online: z.boolean(),
  comms: z.enum(['unknown', 'ok', 'lost']),
  /** The device's condition as the gateway computes it from its kind (gateway/live/device-condition.ts). */
  condition: z.enum(DEVICE_CONDITIONS),
  conditionReason: z.string(),
  lastGood: z.number().nullable(),
  points: z.record(z.string(), pointView),
  /** Fire panels: each detection zone with its place (site file zone map) and condition. */
  zones: z
    .array(
      z.object({
        n: z.number(),
        name: z.string().optional(),
        building: z.string(),
        floor: z.string(),
        area: z.string().optional(),
        point: z.string(),
        condition: z.enum(DEVICE_CONDITIONS),
        conditionReason: z.string(),
      }),
    )
    .optional(),
});

const MAX_LIMIT = 100_000;
/** Telemetry is for the control room and engineers; contractors see their work orders only. */
const STAFF = ACCESS.staff;

export function deviceRoutes(deps: ApiDeps): FastifyPluginAsyncZod {
  const view = (d: DeviceInfo, mask?: ValueMask): z.output<typeof deviceView> => deviceViewOf(deps, d, mask);

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
            kind: kindName.optional(),
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
        const mask = deps.valueMask?.(req.user?.role);
        return { devices: devices.map((d) => view(d, mask)) };
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
      async (req) => view(find(req.params.id, scopeOf(req)), deps.valueMask?.(req.user?.role)),
    );
    registerHistoryRoute(app, deps, find);
  };
}

/** A device as the API shows it: the last value of each point (masked for the role), condition, zones. */
function deviceViewOf(deps: ApiDeps, d: DeviceInfo, mask?: ValueMask): z.output<typeof deviceView> {
  const state = deps.deviceState(d.id);
  const vendor = new Map((d.extraPoints ?? []).map((p) => [p.name, p]));
  const points: Record<string, z.output<typeof pointView>> = {};
  for (const def of deps.pointsOf(d)) {
    const p = state?.points[def.name];
    const value = p ? (mask ? mask(d.id, def.name, p.value) : p.value) : null;
    const v = vendor.get(def.name);
    points[def.name] = { unit: def.unit ?? null, type: def.type, value, ts: p?.ts ?? null, ...qualityView(p), ...(v ? { vendor: { label: v.label ?? null } } : {}) };
  }
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    location: d.location,
    connector: d.connector,
    online: state?.online ?? false,
    comms: state?.comms ?? 'unknown',
    condition: state?.condition.condition ?? 'unknown',
    conditionReason: state?.condition.reason ?? 'nothing read yet',
    lastGood: state?.lastGood ?? null,
    points,
    ...(d.zonePlaces ? { zones: (deps.zoneStates?.(d.id) ?? []).map(({ condition, ...z }) => ({ ...z, condition: condition.condition, conditionReason: condition.reason })) } : {}),
  };
}

/** `GET /api/devices/:id/points/:point/history`: stored samples of one point. */
function registerHistoryRoute(app: Parameters<FastifyPluginAsyncZod>[0], deps: ApiDeps, find: (id: string, scope: BuildingScope) => DeviceInfo): void {
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
            samples: z.array(historySample),
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
      const mask = deps.valueMask?.(req.user?.role);
      const samples = await deps.history({ device: device.id, point: def.name, from, to, limit: req.query.limit });
      return {
        device: device.id,
        point: def.name,
        unit: def.unit ?? null,
        from,
        to,
        samples: samples.map((s) => ({ ts: s.ts, value: mask ? mask(device.id, def.name, s.value) : s.value, quality: s.quality, ...(s.reason === undefined ? {} : { reason: s.reason }) })),
      };
    },
  );
}
