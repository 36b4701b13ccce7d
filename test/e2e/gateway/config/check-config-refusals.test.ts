/**
 * check-config refuses what the running gateway would refuse: time zones, port clashes, unknown
 * keys, bindings against their connector's maps, points the kind does not have, overlapping
 * registers, a device bound to another kind's map.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ConfigError } from '../../../../gateway/config/config-error.ts';
import { validateConfig } from '../../../../gateway/config/load-config.ts';
import { runTracked } from '../../../support/child-processes.ts';
import { tempDir } from '../../../support/temp-dir.ts';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a YAML tree edited in place
const demo = (): Raw => parseDocument(readFileSync('config/demo-site.yaml', 'utf8')).toJS() as Raw;
const device = (raw: Raw, id: string): Raw => (raw.devices as Raw[]).find((d) => d.id === id) as Raw;
const connector = (raw: Raw, id: string): Raw => (raw.connectors as Raw[]).find((c) => c.id === id) as Raw;
/** Where a device stands in the demo's list (issue paths name it by index). */
const at = (id: string): number => (demo().devices as Raw[]).findIndex((d) => d.id === id);

function issues(edit: (raw: Raw) => void): string[] {
  const raw = demo();
  edit(raw);
  try {
    validateConfig(raw);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('check-config refusals', () => {
  it('the demo site itself passes', () => {
    expect(issues(() => undefined)).toEqual([]);
  });

  it('an unknown time zone', () => {
    expect(issues((r) => (r.site.timezone = 'Asia/Shanghia'))).toEqual(['site.timezone: not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)']);
  });

  it('the broker on the API port', () => {
    expect(issues((r) => (r.broker.port = r.api.port))).toEqual(["broker.port: port 8080 is also the API's port (api.port); give each its own"]);
  });

  it('unknown keys, at the top, in a device and in a binding', () => {
    const found = issues((r) => {
      r.storrage = {};
      device(r, 'pump-b1-1').flor = 'F1';
      device(r, 'pump-b1-1').binding.mapp = 'pump-sim';
    });
    expect(found.some((i) => i.startsWith('(root)') || i.includes('storrage'))).toBe(true);
    expect(found.some((i) => i.startsWith(`devices[${at('pump-b1-1')}]`) && i.includes('flor'))).toBe(true);
    expect(found.some((i) => i.startsWith(`devices[${at('pump-b1-1')}].binding`) && i.includes('mapp'))).toBe(true);
  });

  it('map: nope', () => {
    expect(issues((r) => (device(r, 'pump-b1-1').binding.map = 'nope'))).toEqual([
      `devices[${at('pump-b1-1')}].binding.map: connector "modbus-pumps" has no register map "nope" (declared: pump-sim)`,
    ]);
  });

  it('a device bound to another kind\'s map', () => {
    const found = issues((r) => {
      connector(r, 'modbus-pumps').maps['elevator-sim'] = connector(r, 'modbus-elevators').maps['elevator-sim'];
      device(r, 'pump-b2-1').binding.map = 'elevator-sim';
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^devices\\[${at('pump-b2-1')}\\]\\.binding\\.map: map "elevator-sim" has points a pump does not have: in_service, `));
  });

  it('one map bound to two kinds', () => {
    const found = issues((r) => {
      connector(r, 'modbus-pumps').maps['shared'] = { running: { table: 'coil', address: 0, type: 'bool' } };
      device(r, 'pump-b1-1').binding.map = 'shared';
      (r.devices as Raw[]).push({ id: 'x-1', kind: 'access_door', building: 'b1', floor: 'F1', binding: { connector: 'modbus-pumps', map: 'shared' } });
    });
    const added = (demo().devices as Raw[]).length; // x-1 is appended
    expect(found).toContain(`devices[${added}].binding.map: map "shared" has points a access_door does not have: running (a access_door has: door_open, locked, forced_open, held_open, reader_online, last_event, last_badge)`);
    expect(found).toContain(`devices[${added}].binding.map: map "shared" is bound to pump-b1-1 (pump) and to this access_door; a map describes one kind`);
  });

  it('overlapping registers in one map (bits of one status word are fine)', () => {
    expect(issues((r) => (connector(r, 'modbus-pumps').maps['pump-sim'].suction_bar.address = 1))).toEqual([
      'connectors[2].maps.pump-sim.suction_bar: input 1 (float32) overlaps "discharge_bar" at input 0 (float32)',
    ]);
    expect(issues((r) => (connector(r, 'modbus-pumps').maps['pump-sim'].tripped.bit = 0))).toEqual([
      'connectors[2].maps.pump-sim.tripped: holding 0 (bool bit 0) overlaps "running" at holding 0 (bool bit 0)',
    ]);
  });

  it('OPC UA nodes and rules naming points the kind does not have', () => {
    expect(issues((r) => (device(r, 'fire-panel-1').binding.nodes.battery_volts = 'ns=1;s=x'))).toEqual([
      `devices[${at('fire-panel-1')}].binding.nodes.battery_volts: a fire_panel has no point "battery_volts" (a fire_panel has: zone_1_state, zone_2_state, zone_3_state, zone_4_state, zone_5_state, zone_6_state, zone_7_state, zone_8_state, panel_fault, ac_power_ok, battery_v, supervisory)`,
    ]);
    const rule = issues((r) => (r.rules = [{ id: 'x.y', title: 'T', scope: { kind: 'pump' }, when: { type: 'state', point: 'nope', equals: true }, priority: 3 }]));
    expect(rule.join('\n')).toContain('nope');
  });

  it('gateway check-config prints them and exits 2', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'site.yaml');
      const text = readFileSync('config/demo-site.yaml', 'utf8').replace('timezone: Asia/Shanghai', 'timezone: Asia/Shanghia').replace('map: pump-sim', 'map: nope');
      writeFileSync(file, text);
      const run = await runTracked(process.execPath, ['gateway/cli.ts', 'check-config', file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('site.timezone: not an IANA time zone');
      expect(run.stderr).toContain(`devices[${at('pump-b1-1')}].binding.map: connector "modbus-pumps" has no register map "nope"`);
    } finally {
      dir.cleanup();
    }
  });
});
