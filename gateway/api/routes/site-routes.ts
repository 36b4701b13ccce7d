import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import type { BuildingView } from '../../config/floor-plans.ts';
import { ApiError } from '../api-error.ts';
import { kindView } from './kind-view.ts';
import { ACCESS } from '../route-access.ts';
import { scopeOf } from '../building-scope.ts';

const placed = { x: z.number(), y: z.number(), width: z.number().optional(), height: z.number().optional() };
const contactView = z.object({
  name: z.string().optional(),
  phone: z.string().optional(),
  address: z.string().optional(),
  geo: z.object({ lat: z.number(), lon: z.number() }).optional(),
});

const floorView = z.object({
  id: z.string(),
  name: z.string(),
  /** The floor plan: drawing at `url`, its viewBox, and the devices and fire zones placed on it. */
  plan: z
    .object({
      url: z.string(),
      viewBox: z.array(z.number()).length(4),
      devices: z.array(z.object({ id: z.string(), ...placed })),
      zones: z.array(z.object({ device: z.string(), n: z.number(), ...placed })),
    })
    .optional(),
});

/** The buildings as the API shows them: plans by URL (the file path stays on the gateway). */
function publicBuildings(buildings: readonly BuildingView[]) {
  return buildings.map((b) => ({
    id: b.id,
    name: b.name,
    ...(b.contact ? { contact: { ...b.contact } } : {}),
    floors: b.floors.map((f) => ({
      id: f.id,
      name: f.name,
      ...(f.plan
        ? {
            plan: {
              url: `/api/site/plans/${encodeURIComponent(b.id)}/${encodeURIComponent(f.id)}.svg`,
              viewBox: [...f.plan.viewBox],
              devices: f.plan.devices.map((d) => ({ ...d })),
              zones: f.plan.zones.map((zn) => ({ ...zn })),
            },
          }
        : {}),
    })),
  }));
}

export function siteRoutes(deps: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/site',
      {
        config: { access: ACCESS.anyUser },
        schema: {
          summary: 'The site: name, time zone, buildings and floors (with floor plans), and the device kinds (points, labels, conditions)',
          tags: ['site'],
          response: {
            200: z.object({
              id: z.string(),
              name: z.string(),
              timezone: z.string(),
              /** Reception or caretaker: phone, address, map position (for the contractor app's call and map links). */
              contact: contactView.optional(),
              buildings: z.array(z.object({ id: z.string(), name: z.string(), contact: contactView.optional(), floors: z.array(floorView) })),
              kinds: z.array(kindView),
            }),
          },
        },
      },
      // an account limited to buildings is shown only those
      async (req) => ({ id: deps.site.id, name: deps.site.name, timezone: deps.site.timezone, ...(deps.site.contact ? { contact: { ...deps.site.contact } } : {}), buildings: publicBuildings(deps.buildings().filter((b) => scopeOf(req).has(b.id))), kinds: deps.kinds().map((k) => kindView.parse(k)) }),
    );
    app.get(
      '/api/site/plans/:building/:floor',
      {
        config: { access: ACCESS.staff },
        schema: {
          summary: 'The SVG drawing of a floor plan (`:floor` may end in .svg)',
          tags: ['site'],
          params: z.object({ building: z.string().max(64), floor: z.string().max(70) }),
        },
      },
      async (req, reply) => {
        const floorId = req.params.floor.replace(/\.svg$/i, '');
        const building = deps.buildings().find((b) => b.id === req.params.building && scopeOf(req).has(b.id));
        const plan = building?.floors.find((f) => f.id === floorId)?.plan;
        if (!plan) throw new ApiError('NOT_FOUND', `no floor plan for building "${req.params.building}" floor "${floorId}"`);
        const svg = await readFile(plan.file);
        // shown as an image (scripts in an SVG image never run); a direct visit gets a sandbox too
        return reply
          .header('content-type', 'image/svg+xml; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
          .header('cache-control', 'private, max-age=300')
          .send(svg);
      },
    );
  };
}
