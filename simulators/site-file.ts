/**
 * The simulators read the site file on their own (they import no application code): just enough of
 * it to know which devices to simulate and where each is reachable.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { zoneCount } from '../gateway/model/zone-places.ts';

export interface SimDevice {
  readonly id: string;
  readonly kind: string;
  readonly building: string;
  readonly floor: string;
  readonly zones?: number;
  readonly connector: string;
  readonly binding: Readonly<Record<string, unknown>>;
}

export interface SimConnector {
  readonly id: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface SimSite {
  readonly siteId: string;
  /** Floor ids per building, bottom to top as declared (used for the lifts' stops). */
  readonly floors?: Readonly<Record<string, readonly string[]>>;
  readonly devices: readonly SimDevice[];
  readonly connectors: readonly SimConnector[];
}

export function readSiteFile(file: string): SimSite {
  const raw = parse(readFileSync(file, 'utf8')) as {
    site?: { id?: string };
    devices?: Array<Record<string, unknown>>;
    connectors?: Array<Record<string, unknown>>;
    buildings?: Array<{ id?: unknown; floors?: Array<{ id?: unknown }> }>;
  };
  const devices = (raw.devices ?? []).map((d) => {
    const binding = (d.binding ?? {}) as Record<string, unknown>;
    return {
      id: String(d.id),
      kind: String(d.kind),
      building: String(d.building),
      floor: String(d.floor),
      ...(zoneCount(d.zones) !== undefined ? { zones: zoneCount(d.zones) as number } : {}),
      connector: String(binding.connector),
      binding,
    };
  });
  const connectors = (raw.connectors ?? []).map((c) => ({ ...c, id: String(c.id), type: String(c.type) }));
  const floors: Record<string, string[]> = {};
  for (const b of raw.buildings ?? []) {
    if (typeof b.id === 'string') floors[b.id] = (b.floors ?? []).flatMap((f) => (typeof f.id === 'string' ? [f.id] : []));
  }
  return { siteId: String(raw.site?.id ?? 'site'), floors, devices, connectors };
}
