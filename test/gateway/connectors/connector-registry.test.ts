import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../../gateway/config/config-error.ts';
import { parseConfigText } from '../../../gateway/config/load-config.ts';
import { validateBindings } from '../../../gateway/connectors/connector-registry.ts';

/** The issues check-config prints for `text` (what a user sees), none when it loads. */
function refusals(text: string): ConfigIssue[] {
  try {
    parseConfigText(text, 'site.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [...err.issues];
  }
}

const SITE = `
site: { id: s, name: S }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
connectors:
  - id: plc
    type: modbus
    maps:
      lift:
        floor: { table: input, address: 0, type: int16 }
        flux: { table: input, address: 1 }
  - id: local
    type: mqtt
    routes: [{ pattern: 'x/{device}', mapping: ghost }]
    mappings:
      door: { points: { door_open: { path: d }, wings: { path: w } } }
  - id: ua
    type: opcua
    endpoint: opc.tcp://127.0.0.1:4840
devices:
  - { id: lift-1, kind: elevator, building: b1, floor: F1, binding: { connector: plc, map: nope } }
  - { id: lift-2, kind: elevator, building: b1, floor: F1, binding: { connector: plc, map: lift } }
  - { id: door-1, kind: access_door, building: b1, floor: F1, binding: { connector: local, topic: d/1, mapping: door } }
  - { id: door-2, kind: access_door, building: b1, floor: F1, binding: { connector: local, topic: d/2, mapping: missing } }
  - { id: fp-1, kind: fire_panel, zones: 2, building: b1, floor: F1, binding: { connector: ua, nodes: { zone_9_state: 'ns=1;s=z9' } } }
`;

describe('validateBindings: what the running connectors would refuse, before anything connects', () => {
  it('locates every refused binding by its path in the site file (as check-config prints them)', () => {
    const issues = refusals(SITE);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'connectors[1].mappings.door.points.wings',
        'connectors[1].routes[0].mapping',
        'devices[0].binding.map',
        'devices[1].binding.map',
        'devices[3].binding.mapping',
        'devices[4].binding.nodes.zone_9_state',
      ].sort(),
    );
    expect(byPath['devices[0].binding.map']).toBe(`connector "plc" has no register map "nope" (declared: lift)`);
    expect(byPath['devices[1].binding.map']).toMatch(/^map "lift" has points a elevator does not have: flux \(a elevator has: in_service, /);
    expect(byPath['connectors[1].routes[0].mapping']).toMatch(/"ghost" is not among the connector's mappings \(door\)/);
    expect(byPath['connectors[1].mappings.door.points.wings']).toMatch(/^not a point of kind access_door .*\(device door-1, kind access_door\)$/);
    expect(byPath['devices[3].binding.mapping']).toMatch(/"missing" is not among the mappings of connector local \(door\)/);
    expect(byPath['devices[4].binding.nodes.zone_9_state']).toMatch(/^a fire_panel has no point "zone_9_state"/);
  });

  it('lists the binding problems even when other parts of the file are wrong too', () => {
    const issues = refusals(SITE.replace('site: { id: s, name: S }', 'site: { id: s, name: S, timezone: Mars/Olympus }'));
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('site.timezone');
    expect(paths).toContain('devices[0].binding.map');
    expect(paths).toContain('connectors[1].routes[0].mapping');
  });

  it('finds nothing to refuse in the demo site', () => {
    const demo = parseConfigText(readFileSync('config/demo-site.yaml', 'utf8'), 'config/demo-site.yaml');
    expect(validateBindings(demo)).toEqual([]);
    expect(refusals(readFileSync('config/demo-site.yaml', 'utf8'))).toEqual([]);
  });
});
