import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../gateway/config/load-config.ts';
import { validateBindings } from '../../../gateway/connectors/connector-registry.ts';

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
  it('locates every refused binding by its path in the site file', () => {
    const issues = validateBindings(parseConfigText(SITE, 'site.yaml'));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'connectors[0].maps.lift.flux',
        'connectors[1].mappings.door.points.wings',
        'connectors[1].routes[0].mapping',
        'devices[0].binding.map',
        'devices[3].binding.mapping',
        'devices[4].binding.nodes',
      ].sort(),
    );
    expect(byPath['devices[0].binding.map']).toBe(`"nope" is not among the connector's maps (lift)`);
    expect(byPath['connectors[0].maps.lift.flux']).toMatch(/^not a point of kind elevator .*\(device lift-2, kind elevator\)$/);
    expect(byPath['connectors[1].mappings.door.points.wings']).toMatch(/not a point of kind access_door/);
    expect(byPath['devices[3].binding.mapping']).toMatch(/"missing" is not among the mappings of connector local \(door\)/);
    expect(byPath['devices[4].binding.nodes']).toMatch(/zone_9_state" is not a point of kind fire_panel/);
  });

  it('finds nothing to refuse in the demo site', () => {
    const demo = parseConfigText(readFileSync('config/demo-site.yaml', 'utf8'), 'config/demo-site.yaml');
    expect(validateBindings(demo)).toEqual([]);
  });
});
