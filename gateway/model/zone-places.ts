/**
 * Where a fire panel's detection zones are. A site file writes either `zones: 8` (eight zones, all
 * placed where the panel is) or a zone map, `zones: [{ n: 3, name: East stair, building: b1,
 * floor: F3, area: stair B }]`; a zone without building or floor is where the panel is. Alarms of a
 * zone point, the overview and reports place the zone there. Imports nothing of ours but the
 * device type.
 */
import type { DeviceInfo, Location } from './device.ts';

export interface ZonePlace {
  readonly n: number;
  readonly name?: string;
  readonly building: string;
  readonly floor: string;
  readonly area?: string;
}

/** A zone entry as written in the site file (building and floor optional). */
export interface ZoneEntry {
  readonly n: number;
  readonly name?: string | undefined;
  readonly building?: string | undefined;
  readonly floor?: string | undefined;
  readonly area?: string | undefined;
}

/** The number of zones of a `zones:` value (a count, or the highest `n` of a zone map). */
export function zoneCount(zones: unknown): number | undefined {
  if (typeof zones === 'number') return zones;
  if (!Array.isArray(zones)) return undefined;
  const ns = zones.flatMap((z: unknown) => (typeof z === 'object' && z !== null && typeof (z as { n?: unknown }).n === 'number' ? [(z as { n: number }).n] : []));
  return ns.length > 0 ? Math.max(...ns) : undefined;
}

/** Zone places of a device: each zone of the map, the ones not mapped where the panel is. */
export function zonePlaces(zones: number | readonly ZoneEntry[] | undefined, at: { building: string; floor: string }): ZonePlace[] {
  if (zones === undefined) return [];
  const count = zoneCount(zones) ?? 0;
  const mapped = new Map(typeof zones === 'number' ? [] : zones.map((z) => [z.n, z] as const));
  const out: ZonePlace[] = [];
  for (let n = 1; n <= count; n++) {
    const z = mapped.get(n);
    out.push({
      n,
      building: z?.building ?? at.building,
      floor: z?.floor ?? at.floor,
      ...(z?.name !== undefined ? { name: z.name } : {}),
      ...(z?.area !== undefined ? { area: z.area } : {}),
    });
  }
  return out;
}

/** Where something about `point` of `device` happened: a zone point is at its zone, anything else at the device. */
export function placeOfPoint(device: DeviceInfo, point: string | undefined, zoneOf: (point: string) => number | undefined): Location & { readonly area?: string; readonly zone?: ZonePlace } {
  const n = point === undefined ? undefined : zoneOf(point);
  const zone = n === undefined ? undefined : device.zonePlaces?.find((z) => z.n === n);
  if (!zone) return device.location;
  return { site: device.location.site, building: zone.building, floor: zone.floor, ...(zone.area !== undefined ? { area: zone.area } : {}), zone };
}
