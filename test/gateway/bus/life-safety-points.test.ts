import { describe, expect, it } from 'vitest';
import { LifeSafetyPoints } from '../../../gateway/bus/life-safety-points.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';

const device = (id: string, kind: DeviceInfo['kind']): DeviceInfo => ({ id, name: id, kind, connector: 'c', location: { site: 's', building: 'b', floor: 'f' } });

describe('life-safety points (the bus priority lane)', () => {
  it('takes fire zones, panel fault, smoke alarm/tamper, elevator alarm button, and points of priority-1 rules', () => {
    const ls = new LifeSafetyPoints([device('fp', 'fire_panel'), device('sd', 'smoke_detector'), device('el', 'elevator'), device('pu', 'pump')]);
    const yes = [['fp', 'zone_3_state'], ['fp', 'panel_fault'], ['sd', 'alarm'], ['sd', 'tamper'], ['el', 'alarm_button']];
    const no = [['fp', 'battery_v'], ['sd', 'battery_pct'], ['el', 'floor'], ['pu', 'tripped'], ['ghost', 'alarm']];
    for (const [d, p] of yes) expect(ls.has({ device: d as string, point: p as string })).toBe(true);
    for (const [d, p] of no) expect(ls.has({ device: d as string, point: p as string })).toBe(false);
    ls.add([{ device: 'pu', point: 'tripped' }]);
    expect(ls.has({ device: 'pu', point: 'tripped' })).toBe(true);
  });
});
