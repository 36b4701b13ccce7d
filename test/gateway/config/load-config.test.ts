import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { loadConfigFile, parseConfigText } from '../../../gateway/config/load-config.ts';
import { siteJsonSchema } from '../../../gateway/config/json-schema.ts';

describe('config loading', () => {
  it('accepts the demo site and applies defaults', async () => {
    const config = await loadConfigFile('config/demo-site.yaml');
    expect(config.devices).toHaveLength(23);
    const kinds = config.devices.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.kind]: (acc[d.kind] ?? 0) + 1 }), {});
    expect(kinds).toEqual({ elevator: 2, pump: 2, fire_panel: 1, access_door: 4, smoke_detector: 12, air_handling_unit: 2 });
    expect(config.storage.retention).toBe(30 * 86_400_000);
    expect(config.api.host).toBe('127.0.0.1');
  });

  it('reports all three mistakes of a bad file at once, each with its path', async () => {
    const err = await loadConfigFile('test/fixtures/config/three-mistakes.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['devices[1].building', 'devices[2].kind', 'storage.retention']);
    expect(issues.find((i) => i.path === 'storage.retention')?.message).toMatch(/duration like/);
    expect(issues.find((i) => i.path === 'devices[1].building')?.message).toMatch(/unknown building "b9"/);
  });

  it('reports YAML syntax errors and unreadable files clearly', async () => {
    expect(() => parseConfigText('site: [unclosed', 'x.yaml')).toThrow(/YAML syntax/);
    await expect(loadConfigFile('no/such/file.yaml')).rejects.toThrow(/cannot read file/);
  });

  it('catches duplicate ids, unknown connectors and a missing embedded broker', () => {
    const text = `
site: { id: s, name: S }
buildings: [{ id: b1, name: B, floors: [{ id: F1 }] }]
connectors: [{ id: m, type: mqtt }]
devices:
  - { id: d1, kind: pump, building: b1, floor: F9, binding: { connector: m, topic: a } }
  - { id: d1, kind: pump, building: b1, floor: F1, binding: { connector: nope, topic: a } }
`;
    const err = (() => {
      try {
        parseConfigText(text, 's.yaml');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    const byPath = Object.fromEntries(err.issues.map((i) => [i.path, i.message]));
    expect(byPath['connectors[0].url']).toMatch(/embedded broker/);
    expect(byPath['devices[0].floor']).toMatch(/no floor "F9"/);
    expect(byPath['devices[1].id']).toMatch(/duplicate device id/);
    expect(byPath['devices[1].binding.connector']).toMatch(/unknown connector "nope"/);
  });

  it('config/schema.json is generated from the current zod schemas', () => {
    const onDisk = JSON.parse(readFileSync('config/schema.json', 'utf8')) as unknown;
    expect(onDisk).toEqual(siteJsonSchema());
  });
});
