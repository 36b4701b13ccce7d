import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../gateway/config/config-error.ts';
import { loadConfigFile, validateConfig } from '../../gateway/config/load-config.ts';
import { DEFAULT_PACK_DIR, loadRulePacks } from '../../rules/alarms/config/rule-packs.ts';
import { device, harness, type Harness } from './harness.ts';

const PACKS = ['fire_panel', 'elevator', 'pump', 'access_door', 'smoke_detector', 'comms'];
const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

function site(): Harness {
  const h = harness({
    rulePacks: PACKS,
    devices: [
      device('fp', 'fire_panel', 'b1', 'F1', 8),
      device('el', 'elevator'),
      device('pu', 'pump', 'b1', 'B1'),
      device('dr', 'access_door'),
      device('sd', 'smoke_detector', 'b1', 'F2'),
    ],
  });
  open.push(h);
  return h;
}

const openRules = (h: Harness): string[] => h.service.manager.openRecords().map((a) => `${a.rule}@${a.device}:P${a.priority}`).sort();

describe('default rule packs', () => {
  it('every pack file in config/rule-packs validates', () => {
    const names = readdirSync(DEFAULT_PACK_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(names.sort()).toEqual([...PACKS].sort());
    const loaded = loadRulePacks(names);
    expect(loaded.issues).toEqual([]);
    expect(loaded.rules.length).toBeGreaterThanOrEqual(20);
  });

  it('the demo site enables them and validates', async () => {
    const config = await loadConfigFile('config/demo-site.yaml');
    expect(config.rulePacks).toEqual(PACKS);
  });

  it('fire: zone in fire is one latching P1 alarm per zone; panel fault is P2', () => {
    const h = site();
    h.push('fp', 'zone_3_state', 'fire');
    h.push('fp', 'panel_fault', true);
    expect(openRules(h)).toEqual(['fire.panel-fault@fp:P2', 'fire.zone-fire/zone_3_state@fp:P1']);
    const zone = h.service.manager.openFor('fire.zone-fire/zone_3_state', 'fp');
    expect(zone).toMatchObject({ title: 'Fire zone 3 in fire', latching: true, workOrder: { trade: 'fire_safety', priority: 1 } });
    h.push('fp', 'zone_3_state', 'normal');
    expect(h.service.manager.openFor('fire.zone-fire/zone_3_state', 'fp')?.state).toBe('active-unack'); // latched
  });

  it('elevator entrapment: stopped between floors with the alarm button pressed raises exactly one P1 alarm', () => {
    const h = site();
    h.pushMany([
      { device: 'el', point: 'in_service', value: true },
      { device: 'el', point: 'moving', value: true },
      { device: 'el', point: 'door_open', value: false },
      { device: 'el', point: 'fault_code', value: 0 },
      { device: 'el', point: 'alarm_button', value: false },
    ]);
    h.advance(1000);
    h.pushMany([
      { device: 'el', point: 'moving', value: false },
      { device: 'el', point: 'fault_code', value: 41 },
    ]);
    h.advance(1000);
    // The passenger presses the button again and again.
    for (let i = 0; i < 8; i++) {
      h.push('el', 'alarm_button', i % 2 === 0);
      h.advance(1500);
    }
    h.push('el', 'alarm_button', true);
    h.advance(3000);
    const entrapments = h.service.history().filter((a) => a.rule === 'elevator.entrapment');
    expect(entrapments).toHaveLength(1);
    expect(entrapments[0]).toMatchObject({ priority: 1, latching: true });
  });

  it('elevator entrapment also without the fault code: doors closed, out of service, not moving, button pressed', () => {
    const h = site();
    h.pushMany([
      { device: 'el', point: 'moving', value: false },
      { device: 'el', point: 'door_open', value: false },
      { device: 'el', point: 'in_service', value: false },
      { device: 'el', point: 'fault_code', value: 0 },
      { device: 'el', point: 'alarm_button', value: true },
    ]);
    h.advance(2000);
    expect(h.service.manager.openFor('elevator.entrapment', 'el')).toBeDefined();
  });

  it('no entrapment alarm for a button pressed at a landing with the doors open', () => {
    const h = site();
    h.pushMany([
      { device: 'el', point: 'moving', value: false },
      { device: 'el', point: 'door_open', value: true },
      { device: 'el', point: 'in_service', value: true },
      { device: 'el', point: 'fault_code', value: 0 },
      { device: 'el', point: 'alarm_button', value: true },
    ]);
    h.advance(10_000);
    expect(h.service.manager.openFor('elevator.entrapment', 'el')).toBeUndefined();
  });

  it('pump: trip, low discharge pressure while running, high vibration, high bearing temperature', () => {
    const h = site();
    h.pushMany([
      { device: 'pu', point: 'running', value: true },
      { device: 'pu', point: 'tripped', value: true },
      { device: 'pu', point: 'discharge_bar', value: 1.2 },
      { device: 'pu', point: 'vibration_mm_s', value: 9 },
      { device: 'pu', point: 'bearing_temp_c', value: 95 },
    ]);
    h.advance(30_000);
    expect(openRules(h)).toEqual(['pump.high-bearing-temp@pu:P2', 'pump.high-vibration@pu:P3', 'pump.low-discharge@pu:P2', 'pump.trip@pu:P2']);
    expect(h.service.manager.openFor('pump.trip', 'pu')?.workOrder).toEqual({ trade: 'plumbing', priority: 2 });
  });

  it('doors: forced open at once, held open after 30 s', () => {
    const h = site();
    h.pushMany([
      { device: 'dr', point: 'forced_open', value: true },
      { device: 'dr', point: 'held_open', value: true },
    ]);
    expect(openRules(h)).toEqual(['door.forced-open@dr:P2']);
    h.advance(30_000);
    expect(openRules(h)).toEqual(['door.forced-open@dr:P2', 'door.held-open@dr:P3']);
  });

  it('smoke detectors: alarm (P1 latching), low battery, tamper', () => {
    const h = site();
    h.pushMany([
      { device: 'sd', point: 'alarm', value: true },
      { device: 'sd', point: 'battery_pct', value: 8 },
      { device: 'sd', point: 'tamper', value: true },
    ]);
    expect(openRules(h)).toEqual(['smoke.alarm@sd:P1', 'smoke.low-battery@sd:P4', 'smoke.tamper@sd:P2']);
  });

  it('comms loss for every kind', () => {
    const h = site();
    h.advance(3 * 60_000);
    expect(openRules(h).filter((r) => r.startsWith('comms.'))).toEqual([
      'comms.access-door@dr:P3',
      'comms.elevator@el:P3',
      'comms.fire-panel@fp:P2',
      'comms.pump@pu:P3',
      'comms.smoke-detector@sd:P3',
    ]);
  });
});

describe('rule configuration errors', () => {
  const base = {
    site: { id: 's', name: 'S' },
    buildings: [{ id: 'b1', name: 'B', floors: [{ id: 'F1' }] }],
    connectors: [{ id: 'm', type: 'mqtt', url: 'mqtt://127.0.0.1:1' }],
    devices: [{ id: 'p1', kind: 'pump', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 't' } }],
  };
  const issues = (extra: Record<string, unknown>): string[] => {
    try {
      validateConfig({ ...base, ...extra });
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
  };

  it('reports every problem with its path', () => {
    const found = issues({
      rulePacks: ['pump', 'nope'],
      rules: [
        { id: 'a', title: 'A', scope: { kind: 'pump', floor: 'F9' }, when: { type: 'threshold', point: 'pressure', above: 1 }, priority: 2 },
        { id: 'a', title: 'B', scope: { devices: ['p2'] }, when: { type: 'stale', after: 'soon' }, priority: 5 },
        { id: 'c', title: 'C', scope: {}, when: { type: 'any', of: [{ type: 'rate', point: 'flow_m3h', window: '1m' }] }, priority: 3 },
        { id: 'd', title: 'D', scope: { kind: 'pump' }, when: { type: 'state', point: 'running', equals: true }, perPoint: true, priority: 3 },
      ],
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rulePacks\[1\]: no rule pack "nope"/),
        expect.stringMatching(/^rules\[0\]\.scope\.floor: unknown floor "F9"/),
        expect.stringMatching(/^rules\[0\]\.when: a pump has no point "pressure"/),
        expect.stringMatching(/^rules\[1\]\.when\.after: expected a duration/),
        expect.stringMatching(/^rules\[1\]\.priority: /),
        expect.stringMatching(/^rules\[2\]\.scope\.kind: a scope needs a kind/),
        expect.stringMatching(/^rules\[2\]\.when\.of\[0\]\.abovePerMinute: a rate condition needs exactly one/),
        expect.stringMatching(/^rules\[3\]\.perPoint: perPoint needs a point pattern/),
      ]),
    );
  });

  it('duplicate ids and unknown devices in a scope', () => {
    const rule = { title: 'X', when: { type: 'state', point: 'tripped', equals: true }, priority: 2 };
    const found = issues({ rules: [{ id: 'x', scope: { devices: ['p1', 'p9'] }, ...rule }, { id: 'x', scope: { kind: 'pump' }, ...rule }] });
    expect(found).toEqual(['rules[0].scope.devices[1]: unknown device "p9"', 'rules[1].id: duplicate rule id "x"']);
  });

  it('a site rule with the id of a pack rule replaces it; enabled: false turns it off', () => {
    const h = harness({
      devices: [device('pu', 'pump')],
      rulePacks: ['pump'],
      rules: [
        { id: 'pump.trip', title: 'Trip (site)', scope: { kind: 'pump' }, when: { type: 'state', point: 'tripped', equals: true }, priority: 1 },
        { id: 'pump.high-vibration', enabled: false, title: 'off', scope: { kind: 'pump' }, when: { type: 'state', point: 'tripped', equals: true }, priority: 4 },
      ],
    });
    open.push(h);
    h.pushMany([
      { device: 'pu', point: 'tripped', value: true },
      { device: 'pu', point: 'vibration_mm_s', value: 50 },
    ]);
    h.advance(60_000);
    expect(openRules(h)).toEqual(['pump.trip@pu:P1']);
    expect(h.service.manager.openFor('pump.trip', 'pu')?.title).toBe('Trip (site)');
  });
});
