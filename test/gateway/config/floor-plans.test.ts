import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { buildingViews } from '../../../gateway/config/floor-plans.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { tempDir } from '../../support/temp-dir.ts';

describe('floor plans in the site file', () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.cleanup();
  });

  it('the demo site: every floor of both buildings has a plan; devices and zones are placed on their own floor', async () => {
    const config = await loadConfigFile('config/demo-site.yaml');
    const views = buildingViews(config);
    expect(views.flatMap((b) => b.floors).every((f) => f.plan !== undefined)).toBe(true);
    const f3 = views.find((b) => b.id === 'b1')?.floors.find((f) => f.id === 'F3');
    expect(f3?.plan?.viewBox).toEqual([0, 0, 800, 400]);
    expect(f3?.plan?.devices.map((d) => d.id)).toEqual(['smoke-b1-f3']);
    // zone 3 is placed on F3 (where the zone map puts it), not on the panel's F1
    expect(f3?.plan?.zones).toEqual([{ device: 'fire-panel-1', n: 3, x: 680, y: 30, width: 90, height: 140 }]);
    const placed = views.flatMap((b) => b.floors.flatMap((f) => f.plan?.devices.map((d) => d.id) ?? []));
    expect(placed.sort()).toEqual(config.devices.map((d) => d.id).sort());
  });

  it('a plan path is relative to the site file; a missing file or an SVG without viewBox fails the check, naming the floor', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const site = readFileSync('config/demo-site.yaml', 'utf8');
    mkdirSync(join(dir.path, 'plans'));
    for (const f of ['b1-basement', 'b1-ground', 'b1-typical', 'b2-basement', 'b2-ground', 'b2-typical']) copyFileSync(`config/plans/${f}.svg`, join(dir.path, 'plans', `${f}.svg`));
    writeFileSync(join(dir.path, 'site.yaml'), site);
    const ok = await loadConfigFile(join(dir.path, 'site.yaml'));
    expect(ok.buildings[0]?.floors[0]?.plan).toBe(join(dir.path, 'plans', 'b1-basement.svg'));

    writeFileSync(join(dir.path, 'plans', 'b1-typical.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>');
    writeFileSync(join(dir.path, 'bad.yaml'), site.replace('plans/b2-ground.svg', 'plans/nowhere.svg').replaceAll('plans/b1-typical.svg', 'plans/b1-typical.svg'));
    const err = await loadConfigFile(join(dir.path, 'bad.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).message;
    expect(text).toContain('buildings.1.floors.1.plan');
    expect(text).toContain('floor plan plans/nowhere.svg: no such file');
    expect(text).toContain('buildings.0.floors.2.plan');
    expect(text).toContain('needs a viewBox');
  });
});
