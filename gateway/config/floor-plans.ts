/**
 * Floor plans (`buildings[].floors[].plan`): SVG files next to the site file. At load time each path
 * is made absolute and the file checked (readable, an <svg> with a viewBox), so a wrong path fails
 * the config check with the floor named, not a blank plan in the browser.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigIssue } from './config-error.ts';
import type { Contact, SiteConfig } from './site-schema.ts';

export interface FloorPlanFile {
  readonly file: string;
  /** `[minX, minY, width, height]` of the drawing's viewBox. */
  readonly viewBox: readonly [number, number, number, number];
}

const cache = new Map<string, { mtimeMs: number; plan: FloorPlanFile }>();

/** Read a plan's viewBox (again when the file changed); throws with a clear message when the file is not an SVG with one. */
export function readFloorPlan(file: string): FloorPlanFile {
  const { mtimeMs } = statSync(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.plan;
  const text = readFileSync(file, 'utf8');
  const svg = /<svg\b[^>]*>/i.exec(text);
  if (!svg) throw new Error('not an SVG file (no <svg> element)');
  const box = /\bviewBox\s*=\s*["']([^"']+)["']/i.exec(svg[0]);
  const numbers = box?.[1]?.trim().split(/[\s,]+/).map(Number) ?? [];
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n)) || (numbers[2] ?? 0) <= 0 || (numbers[3] ?? 0) <= 0) {
    throw new Error('the <svg> element needs a viewBox="minX minY width height" (positions are in its units)');
  }
  const plan = { file, viewBox: numbers as unknown as [number, number, number, number] };
  cache.set(file, { mtimeMs, plan });
  return plan;
}

/** Make every floor's plan path absolute (relative to the site file) and check each file. */
export function resolveFloorPlans(config: SiteConfig, siteFile: string): ConfigIssue[] {
  const base = siteFile.startsWith('<') ? process.cwd() : dirname(resolve(siteFile));
  const issues: ConfigIssue[] = [];
  config.buildings.forEach((b, bi) =>
    b.floors.forEach((f, fi) => {
      if (f.plan === undefined) return;
      const file = resolve(base, f.plan);
      try {
        readFloorPlan(file);
        f.plan = file;
      } catch (err) {
        issues.push({ path: `buildings.${bi}.floors.${fi}.plan`, message: `floor plan ${f.plan}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` });
      }
    }),
  );
  return issues;
}

export interface PlacedPoint {
  readonly x: number;
  readonly y: number;
  readonly width?: number;
  readonly height?: number;
}

export interface FloorView {
  readonly id: string;
  readonly name: string;
  /** The floor's plan: file (server side only), viewBox, and what is drawn on it. */
  readonly plan?: {
    readonly file: string;
    readonly viewBox: readonly [number, number, number, number];
    readonly devices: ReadonlyArray<{ readonly id: string } & PlacedPoint>;
    readonly zones: ReadonlyArray<{ readonly device: string; readonly n: number } & PlacedPoint>;
  };
}

export interface BuildingView {
  readonly id: string;
  readonly name: string;
  readonly floors: readonly FloorView[];
  /** The building's own contact and entrance (the contractor app's call and map links). */
  readonly contact?: Contact;
}

/** The buildings and floors of the site, each floor with its plan and the positions placed on it. */
export function buildingViews(config: SiteConfig): BuildingView[] {
  return config.buildings.map((b) => ({
    id: b.id,
    name: b.name,
    ...(b.contact ? { contact: b.contact } : {}),
    floors: b.floors.map((f) => {
      if (f.plan === undefined) return { id: f.id, name: f.name ?? f.id };
      const devices = config.devices.filter((d) => d.building === b.id && d.floor === f.id && d.position).map((d) => ({ id: d.id, ...d.position }) as { id: string } & PlacedPoint);
      const zones = config.devices.flatMap((d) =>
        Array.isArray(d.zones)
          ? d.zones.filter((z) => (z.building ?? d.building) === b.id && (z.floor ?? d.floor) === f.id && z.position).map((z) => ({ device: d.id, n: z.n, ...z.position }) as { device: string; n: number } & PlacedPoint)
          : [],
      );
      return { id: f.id, name: f.name ?? f.id, plan: { file: f.plan, viewBox: readFloorPlan(f.plan).viewBox, devices, zones } };
    }),
  }));
}
