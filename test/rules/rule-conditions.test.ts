import { afterEach, describe, expect, it } from 'vitest';
import { device, harness, type Harness } from './harness.ts';
import { VirtualClock } from '../../gateway/model/clock.ts';
import type { Timer } from '../../gateway/model/clock.ts';
import type { RuleConfigInput } from '../../rules/alarms/config/rule-schema.ts';

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

function rig(rule: Omit<RuleConfigInput, 'id' | 'title' | 'priority'> & Partial<RuleConfigInput>, devices = [device('p1', 'pump')]): Harness {
  const h = harness({ devices, rules: [{ id: 'r', title: 'Test rule {match}', priority: 2, ...rule }], settings: { chatter: { transitions: 1000 } } });
  open.push(h);
  return h;
}

const states = (h: Harness): string[] => h.service.manager.openRecords().map((a) => `${a.rule}:${a.state}`);

describe('threshold', () => {
  it('above with deadband: raises above the limit, clears only below limit - deadband', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'threshold', point: 'vibration_mm_s', above: 7, deadband: 1 } });
    h.push('p1', 'vibration_mm_s', 6.9);
    expect(h.types()).toEqual([]);
    h.push('p1', 'vibration_mm_s', 7.2);
    expect(h.types()).toEqual(['raised']);
    h.push('p1', 'vibration_mm_s', 6.5); // inside the deadband: still active
    expect(h.types()).toEqual(['raised']);
    h.push('p1', 'vibration_mm_s', 5.9);
    expect(h.types()).toEqual(['raised', 'cleared']);
    expect(h.events[0]?.alarm.values).toEqual({ vibration_mm_s: 7.2 });
  });

  it('below with deadband', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'threshold', point: 'discharge_bar', below: 2, deadband: 0.3 } });
    h.push('p1', 'discharge_bar', 1.9);
    h.push('p1', 'discharge_bar', 2.2);
    expect(h.types()).toEqual(['raised']);
    h.push('p1', 'discharge_bar', 2.4);
    expect(h.types()).toEqual(['raised', 'cleared']);
  });

  it('outside a band, either side, with hysteresis', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'threshold', point: 'suction_bar', outside: [1, 3], deadband: 0.2 } });
    h.push('p1', 'suction_bar', 2);
    h.push('p1', 'suction_bar', 3.1);
    h.push('p1', 'suction_bar', 2.9);
    expect(h.types()).toEqual(['raised']);
    h.push('p1', 'suction_bar', 2.7);
    h.push('p1', 'suction_bar', 0.9);
    expect(h.types()).toEqual(['raised', 'cleared', 'raised']);
  });

  it('ignores bad-quality and non-numeric samples (no change on unknown)', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'threshold', point: 'vibration_mm_s', above: 7 } });
    h.push('p1', 'vibration_mm_s', 9, 'bad');
    h.push('p1', 'vibration_mm_s', 'x');
    expect(h.types()).toEqual([]);
    h.push('p1', 'vibration_mm_s', 9);
    h.push('p1', 'vibration_mm_s', 1, 'uncertain');
    expect(h.types()).toEqual(['raised']);
  });
});

describe('on-delay and off-delay', () => {
  it('raises only after the condition held for onDelay, clears after offDelay', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'state', point: 'tripped', equals: true }, onDelay: '10s', offDelay: '5s' });
    h.push('p1', 'tripped', true);
    h.advance(9_000);
    h.push('p1', 'tripped', false); // bounced before the delay: nothing
    h.advance(5_000);
    expect(h.types()).toEqual([]);
    h.push('p1', 'tripped', true);
    h.advance(10_000);
    expect(h.types()).toEqual(['raised']);
    h.push('p1', 'tripped', false);
    h.advance(4_000);
    h.push('p1', 'tripped', true); // back before the off-delay: stays raised, no new event
    h.advance(10_000);
    expect(h.types()).toEqual(['raised']);
    h.push('p1', 'tripped', false);
    h.advance(5_000);
    expect(h.types()).toEqual(['raised', 'cleared']);
  });
});

describe('state', () => {
  it('booleans with equals', () => {
    const h = rig({ scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true } }, [device('d1', 'access_door')]);
    h.push('d1', 'forced_open', false);
    h.push('d1', 'forced_open', true);
    expect(h.types()).toEqual(['raised']);
  });

  it('enums with in / not', () => {
    const h = rig({ scope: { kind: 'elevator' }, when: { type: 'state', point: 'fault_code', not: 0 } }, [device('e1', 'elevator')]);
    h.push('e1', 'fault_code', 0);
    h.push('e1', 'fault_code', 12);
    h.push('e1', 'fault_code', 13);
    h.push('e1', 'fault_code', 0);
    expect(h.types()).toEqual(['raised', 'cleared']);
    const h2 = rig({ scope: { kind: 'access_door' }, when: { type: 'state', point: 'last_event', in: ['forced_open', 'held_open'] } }, [device('d1', 'access_door')]);
    h2.push('d1', 'last_event', 'granted');
    h2.push('d1', 'last_event', 'held_open');
    expect(h2.types()).toEqual(['raised']);
  });

  it('perPoint zone_*_state: one alarm per zone, titled with the zone number', () => {
    const h = rig(
      { scope: { kind: 'fire_panel' }, when: { type: 'state', point: 'zone_*_state', equals: 'fire' }, perPoint: true },
      [device('fp', 'fire_panel', 'b1', 'F1', 4)],
    );
    h.push('fp', 'zone_3_state', 'fire');
    h.push('fp', 'zone_4_state', 'fire');
    h.push('fp', 'zone_1_state', 'fault');
    expect(states(h).sort()).toEqual(['r/zone_3_state:active-unack', 'r/zone_4_state:active-unack']);
    expect(h.events.map((e) => e.alarm.title)).toEqual(['Test rule 3', 'Test rule 4']);
  });

  it('a zone_*_state pattern without perPoint: one alarm while any zone matches', () => {
    const h = rig({ scope: { kind: 'fire_panel' }, when: { type: 'state', point: 'zone_*_state', equals: 'fire' } }, [device('fp', 'fire_panel', 'b1', 'F1', 3)]);
    for (const z of [1, 2, 3]) h.push('fp', `zone_${z}_state`, 'normal');
    h.push('fp', 'zone_2_state', 'fire');
    h.push('fp', 'zone_3_state', 'fire');
    expect(h.types()).toEqual(['raised']);
    h.push('fp', 'zone_2_state', 'normal');
    expect(h.types()).toEqual(['raised']);
    h.push('fp', 'zone_3_state', 'normal');
    expect(h.types()).toEqual(['raised', 'cleared']);
  });
});

describe('rate of change', () => {
  it('raises when the rise per minute over the window exceeds the limit', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'rate', point: 'bearing_temp_c', window: '2m', abovePerMinute: 5 } });
    for (let i = 0; i < 4; i++) {
      h.push('p1', 'bearing_temp_c', 40 + i); // 1 °C per 30 s = 2 °C/min
      h.advance(30_000);
    }
    expect(h.types()).toEqual([]);
    h.push('p1', 'bearing_temp_c', 60);
    expect(h.types()).toEqual(['raised']);
    for (let i = 0; i < 6; i++) {
      h.advance(30_000);
      h.push('p1', 'bearing_temp_c', 60);
    }
    expect(h.types()).toEqual(['raised', 'cleared']);
  });

  it('a fall below a negative rate', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'rate', point: 'discharge_bar', window: '1m', belowPerMinute: -2 } });
    h.push('p1', 'discharge_bar', 5);
    h.advance(20_000);
    h.push('p1', 'discharge_bar', 3);
    expect(h.types()).toEqual(['raised']);
  });
});

describe('counter increase', () => {
  it('raises when a counter rises by increaseBy within the window, counting through a reset', () => {
    const h = rig({ scope: { kind: 'elevator' }, when: { type: 'counter', point: 'trip_count', window: '10m', increaseBy: 100 } }, [device('e1', 'elevator')]);
    h.push('e1', 'trip_count', 1000);
    h.advance(60_000);
    h.push('e1', 'trip_count', 1060);
    expect(h.types()).toEqual([]);
    h.advance(60_000);
    h.push('e1', 'trip_count', 45); // reset to 0, then 45 more: 60 + 45 = 105
    expect(h.types()).toEqual(['raised']);
    h.advance(11 * 60_000);
    h.push('e1', 'trip_count', 46);
    expect(h.types()).toEqual(['raised', 'cleared']);
  });
});

describe('stale / comms lost', () => {
  it('raises when no good sample arrived for `after`, clears on the next good sample', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'stale', after: '2m' } });
    h.push('p1', 'running', true);
    h.advance(60_000);
    h.push('p1', 'flow_m3h', 5);
    h.advance(60_000);
    h.push('p1', 'flow_m3h', 5, 'bad'); // bad samples do not count as alive
    h.advance(59_000);
    expect(h.types()).toEqual([]);
    h.advance(1_000);
    expect(h.types()).toEqual(['raised']);
    expect(h.events[0]?.alarm.values.silent_s).toBe(120);
    h.push('p1', 'flow_m3h', 5);
    expect(h.types()).toEqual(['raised', 'cleared']);
    h.advance(120_000);
    expect(h.types()).toEqual(['raised', 'cleared', 'raised']);
  });

  it('a busy machine: a stale timer that fires early and a judging that takes time still raise the alarm', () => {
    // Each reading of the monotonic clock costs 1 ms of work, and a timer fires 2 ms before it is
    // due (the event loop counts whole milliseconds): the timer's judging sees 4,999 ms of silence
    // ("not yet"), and a second clock reading for the next timer would see 5,000 ("already stale,
    // no timer needed"): the comms-lost alarm was never raised (connection-lost e2e under load).
    class BusyClock extends VirtualClock {
      private work = 0;
      override monotonic(): number {
        return super.monotonic() + this.work++;
      }
      override setTimer(ms: number, fn: () => void): Timer {
        return super.setTimer(Math.max(0, ms - 2), fn);
      }
    }
    const h = harness({ clock: new BusyClock(), devices: [device('p1', 'pump')], rules: [{ id: 'r', title: 'Comms', priority: 3, scope: { kind: 'pump' }, when: { type: 'stale', after: '5s' } }] });
    open.push(h);
    h.push('p1', 'running', true);
    for (let i = 0; i < 20; i++) h.advance(1_000);
    expect(h.types()).toEqual(['raised']);
  });

  it('a device that never reported goes stale `after` from start; a point stale rule watches only its point', () => {
    const h = rig({ scope: { kind: 'pump' }, when: { type: 'stale', point: 'bearing_temp_c', after: '30s' } });
    h.advance(20_000);
    h.push('p1', 'flow_m3h', 5);
    h.advance(10_000);
    expect(h.types()).toEqual(['raised']);
  });
});

describe('all / any', () => {
  it('all needs every part; any needs one; unknown parts hold the state', () => {
    const h = rig({
      scope: { kind: 'pump' },
      when: {
        type: 'all',
        of: [
          { type: 'state', point: 'running', equals: true },
          { type: 'any', of: [{ type: 'threshold', point: 'discharge_bar', below: 2 }, { type: 'state', point: 'tripped', equals: true }] },
        ],
      },
    });
    h.push('p1', 'discharge_bar', 1);
    expect(h.types()).toEqual([]); // running unknown
    h.push('p1', 'running', true);
    expect(h.types()).toEqual(['raised']); // any: discharge low is enough even with tripped unknown
    h.pushMany([
      { device: 'p1', point: 'discharge_bar', value: 3 },
      { device: 'p1', point: 'tripped', value: false },
    ]);
    expect(h.types()).toEqual(['raised', 'cleared']);
    h.push('p1', 'tripped', true);
    h.push('p1', 'running', false);
    expect(h.types()).toEqual(['raised', 'cleared', 'raised', 'cleared']);
  });
});

describe('scope', () => {
  it('by device list, building and floor', () => {
    const devices = [device('p1', 'pump', 'b1', 'B1'), device('p2', 'pump', 'b2', 'B1'), device('p3', 'pump', 'b1', 'F1')];
    const h = rig({ scope: { kind: 'pump', building: 'b1', floor: 'B1' }, when: { type: 'state', point: 'tripped', equals: true } }, devices);
    for (const d of ['p1', 'p2', 'p3']) h.push(d, 'tripped', true);
    expect(h.events.map((e) => e.alarm.device)).toEqual(['p1']);
    const h2 = rig({ scope: { devices: ['p2', 'p3'] }, when: { type: 'state', point: 'tripped', equals: true } }, devices);
    for (const d of ['p1', 'p2', 'p3']) h2.push(d, 'tripped', true);
    expect(h2.events.map((e) => e.alarm.device)).toEqual(['p2', 'p3']);
  });
});
