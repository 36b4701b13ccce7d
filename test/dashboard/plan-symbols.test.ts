import { describe, expect, it } from 'vitest';
import type { AlarmRecord } from '../../rules/alarms/alarm-model.ts';
import { planSymbol, priorityByDevice, zonePriority } from '../../dashboard/src/plan-symbols.ts';

const alarm = (device: string, rule: string, priority: 1 | 2 | 3 | 4, state: AlarmRecord['state'] = 'active-unack'): AlarmRecord => ({ device, rule, priority, state }) as AlarmRecord;

describe('floor-plan symbols (ISA-101)', () => {
  it('normal is grey with the kind letter; no colour class', () => {
    expect(planSymbol('normal', 'smoke_detector', undefined)).toEqual({ shape: 'circle', cls: 'sym-normal', glyph: 'S' });
  });

  it('an alarm shows its priority by shape and colour; without a known priority it is still an alarm', () => {
    expect(planSymbol('in_alarm', 'pump', 1)).toEqual({ shape: 'triangle', cls: 'sym-p1', glyph: '1' });
    expect(planSymbol('in_alarm', 'pump', 2).shape).toBe('diamond');
    expect(planSymbol('in_alarm', 'pump', 3).shape).toBe('inverted-triangle');
    expect(planSymbol('in_alarm', 'pump', 4).shape).toBe('square');
    expect(planSymbol('in_alarm', 'pump', undefined)).toEqual({ shape: 'triangle', cls: 'sym-alarm', glyph: '!' });
  });

  it('comms lost is hatched (its own class), unknown is drawn as unknown, never as normal', () => {
    expect(planSymbol('comms_lost', 'elevator', undefined).cls).toBe('sym-comms_lost');
    expect(planSymbol('unknown', 'elevator', undefined)).toEqual({ shape: 'circle', cls: 'sym-unknown', glyph: '?' });
    expect(planSymbol('fault', 'elevator', undefined).cls).toBe('sym-fault');
  });

  it('the most urgent open alarm decides, per device and per zone point', () => {
    const alarms = [alarm('p', 'pump.trip', 3), alarm('p', 'pump.cav', 2), alarm('p', 'pump.x', 1, 'normal'), alarm('fp', 'fire.zone-fire/zone_3_state', 1), alarm('fp', 'fire.zone-fault/zone_4_state', 3)];
    expect(priorityByDevice(alarms).get('p')).toBe(2);
    expect(zonePriority(alarms, 'fp', 'zone_3_state')).toBe(1);
    expect(zonePriority(alarms, 'fp', 'zone_4_state')).toBe(3);
    expect(zonePriority(alarms, 'fp', 'zone_5_state')).toBeUndefined();
  });
});
