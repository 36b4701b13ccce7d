import { describe, expect, it } from 'vitest';
import { forwardAlarmEvents } from '../../rules/alarms/northbound-alarms.ts';
import { device, harness } from './harness.ts';

describe('northbound alarm hook', () => {
  it('publishes each committed alarm event as JSON on a per-device topic', () => {
    const h = harness({
      devices: [device('d1', 'access_door', 'b2')],
      rules: [{ id: 'forced', title: 'Forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2 }],
    });
    const sent: Array<[string, string]> = [];
    const off = forwardAlarmEvents((l) => h.service.onEvent(l), 'site-alarms/', (t, p) => sent.push([t, p]));
    h.push('d1', 'forced_open', true);
    off();
    h.push('d1', 'forced_open', false);
    expect(sent.map(([t]) => t)).toEqual(['site-alarms/test/b2/d1/raised']);
    expect(JSON.parse(sent[0]?.[1] as string)).toMatchObject({ type: 'raised', alarm: { device: 'd1', rule: 'forced' } });
    h.close();
  });
});
