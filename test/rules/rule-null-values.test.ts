/** A point nobody could read (value null) is unknown to every rule: neither in alarm nor normal. */
import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '../../gateway/model/sample.ts';
import { device, harness, type Harness } from './harness.ts';
import type { RuleConfigInput } from '../../rules/alarms/config/rule-schema.ts';

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

function rig(rule: Omit<RuleConfigInput, 'id' | 'title' | 'priority'>, devices = [device('fp', 'fire_panel', 'b1', 'F1', 2)]): Harness {
  const h = harness({ devices, rules: [{ id: 'r', title: 'Test rule', priority: 1, ...rule }], settings: { chatter: { transitions: 1000 } } });
  open.push(h);
  return h;
}

describe('null values in rules', () => {
  it('a zone that was never read or is comms-lost neither raises nor clears a zone alarm', () => {
    const h = rig({ scope: { kind: 'fire_panel' }, when: { type: 'state', point: 'zone_1_state', equals: 'fire' } });
    h.push('fp', 'zone_1_state', null, 'uncertain', REASON.notYetRead);
    expect(h.types()).toEqual([]);
    h.push('fp', 'zone_1_state', 'fire');
    expect(h.types()).toEqual(['raised']);
    h.push('fp', 'zone_1_state', null, 'bad', REASON.commsLost);
    expect(h.types()).toEqual(['raised']); // unknown: the fire alarm is not cleared by silence
    h.push('fp', 'zone_1_state', 'normal');
    expect(h.types()).toEqual(['raised', 'cleared']);
  });

  it('"not normal" is unknown, not true, on a null value even if a connector wrongly calls it good', () => {
    const h = rig({ scope: { kind: 'fire_panel' }, when: { type: 'state', point: 'zone_2_state', not: 'normal' } });
    h.push('fp', 'zone_2_state', null, 'good');
    expect(h.types()).toEqual([]);
  });

  it('a null threshold input is unknown; an alarm raised by another part carries no null value', () => {
    const h = rig({
      scope: { kind: 'fire_panel' },
      when: {
        type: 'any',
        of: [
          { type: 'state', point: 'panel_fault', equals: true },
          { type: 'threshold', point: 'battery_v', below: 22 },
        ],
      },
    });
    h.push('fp', 'battery_v', null, 'bad', 'modbus exception 2');
    expect(h.types()).toEqual([]);
    h.push('fp', 'panel_fault', true);
    expect(h.types()).toEqual(['raised']);
    expect(h.events[0]?.alarm.values).toEqual({ panel_fault: true });
  });

  it('a null value does not count as a good sample for a stale rule', () => {
    const h = rig({ scope: { kind: 'fire_panel' }, when: { type: 'stale', after: '30s' } });
    h.advance(20_000);
    h.push('fp', 'panel_fault', null, 'good');
    h.advance(10_000);
    expect(h.types()).toEqual(['raised']);
  });
});
