import { describe, expect, it } from 'vitest';
import { BUILTIN_KINDS, DEVICE_KINDS, LIFE_SAFETY_KINDS, pointsOf, zoneOfPoint } from '../../../gateway/model/kinds/index.ts';
import { compileConditions } from '../../../gateway/model/kinds/kind-condition.ts';
import { KIND_DEFAULTS } from '../../../rules/uptime/uptime-schema.ts';
import { labelsFor } from '../../../rules/uptime/report-labels.ts';

describe('device kinds as data', () => {
  it('one descriptor per kind, each naming only points it has', () => {
    for (const kind of DEVICE_KINDS) {
      const d = BUILTIN_KINDS[kind];
      expect(d.kind).toBe(kind);
      const names = pointsOf(kind, { zones: 3 }).map((p) => p.name);
      for (const c of [...d.fault, ...d.inAlarm.flatMap((c) => ('all' in c ? c.all : [c]))]) {
        const pattern = new RegExp(`^${c.point.replace('*', '[^_]+')}$`);
        expect(names.some((n) => pattern.test(n)), `${kind}: ${c.point}`).toBe(true);
      }
      for (const p of pointsOf(kind, { zones: 2 })) {
        expect(p.label?.en, `${kind}.${p.name} English label`).toBeTruthy();
        expect(p.label?.['zh-CN'], `${kind}.${p.name} Chinese label`).toBeTruthy();
        if (p.type === 'enum') expect(Object.keys(p.valueLabels ?? {}).sort()).toEqual([...(p.values ?? [])].sort());
      }
    }
  });

  it('life-safety kinds are fire panels and smoke detectors', () => {
    expect(DEVICE_KINDS.filter((k) => LIFE_SAFETY_KINDS.has(k)).sort()).toEqual(['fire_panel', 'smoke_detector']);
  });

  it('uptime down conditions and report kind labels are read from the descriptors', () => {
    for (const kind of DEVICE_KINDS) {
      expect(KIND_DEFAULTS[kind]).toEqual({ down: BUILTIN_KINDS[kind].uptime.down, comms: BUILTIN_KINDS[kind].uptime.comms });
      expect(labelsFor('zh-CN').kinds[kind]).toBe(BUILTIN_KINDS[kind].label['zh-CN']);
      expect(labelsFor('en').kinds[kind]).toBe(BUILTIN_KINDS[kind].label.en);
    }
    expect(KIND_DEFAULTS.smoke_detector.comms).toBe('down');
    expect(KIND_DEFAULTS.pump.comms).toBe('separate');
  });

  it('zone points are expanded from the fire panel descriptor and mapped back to their zone', () => {
    const zones = pointsOf('fire_panel', { zones: 2 }).slice(0, 2);
    expect(zones.map((p) => [p.name, p.label?.['zh-CN']])).toEqual([
      ['zone_1_state', '1 号防区'],
      ['zone_2_state', '2 号防区'],
    ]);
    expect(zoneOfPoint('fire_panel', 'zone_12_state')).toBe(12);
    expect(zoneOfPoint('fire_panel', 'panel_fault')).toBeUndefined();
    expect(zoneOfPoint('pump', 'zone_1_state')).toBeUndefined();
  });

  it('conditions ignore points without a value (never read, comms lost)', () => {
    const fire = compileConditions(BUILTIN_KINDS.fire_panel.inAlarm);
    expect(fire(new Map([['zone_1_state', null], ['zone_2_state', 'fire']]))).toBe('zone_2_state=fire');
    const fault = compileConditions(BUILTIN_KINDS.elevator.fault);
    expect(fault(new Map([['fault_code', null], ['in_service', true]]))).toBeUndefined();
  });
});
