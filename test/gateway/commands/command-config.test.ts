/** Commands in the site file: bindings may map only their kind's commands; site kinds declare their own. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { kindDescriptor } from '../../../gateway/model/kinds/index.ts';

const site = (binding: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  site: { id: 't', name: 'T' },
  buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
  broker: { enabled: false },
  connectors: [{ id: 'plc', type: 'modbus', maps: { p: { tripped: { table: 'holding', address: 0, type: 'bool', bit: 1 } }, c: { running: { table: 'coil', address: 0, type: 'bool' } } } }],
  devices: [{ id: 'pump-1', kind: 'pump', building: 'b1', floor: 'F1', binding: { connector: 'plc', map: 'p', ...binding } }],
  ...extra,
});

function issues(raw: unknown): string[] {
  try {
    validateConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
}

describe('commands in the site file', () => {
  it('accepts a binding mapping its kind command, with nobody granted the permission by default', () => {
    const c = validateConfig(site({ commands: { reset_trip: { table: 'coil', address: 8, value: true } } }));
    expect(c.commands).toEqual({ roles: [], allowLifeSafety: false, confirmTimeout: 5_000 });
  });

  it('refuses a command the kind lacks and a coil written a number, each with its path', () => {
    expect(issues(site({ commands: { open_valve: { table: 'coil', address: 8, value: true } } }))).toContain(
      'devices[0].binding.commands.open_valve: a pump has no command "open_valve" (its commands: reset_trip)',
    );
    expect(issues(site({ commands: { reset_trip: { table: 'coil', address: 8, value: 1 } } })).join('\n')).toMatch(/devices\[0\]\.binding\.commands\.reset_trip\.value: a coil is written true or false/);
  });

  it('lets a site kind declare commands that its devices then map', () => {
    const chiller = {
      kind: 'chiller',
      label: { en: 'Chiller', 'zh-CN': '冷水机组' },
      points: [{ name: 'running', type: 'boolean' }],
      commands: [{ name: 'start', label: { en: 'Start', 'zh-CN': '启动' } }],
    };
    const raw = {
      ...site({}),
      kinds: [chiller],
      devices: [{ id: 'ch-1', kind: 'chiller', building: 'b1', floor: 'F1', binding: { connector: 'plc', map: 'c', commands: { start: { table: 'coil', address: 1, value: true } } } }],
    };
    expect(issues(raw)).toEqual([]);
    expect(kindDescriptor('chiller').commands).toEqual([{ name: 'start', label: { en: 'Start', 'zh-CN': '启动' }, description: 'Start' }]);
  });
});
