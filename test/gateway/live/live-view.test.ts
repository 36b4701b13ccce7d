import { describe, expect, it } from 'vitest';
import { LiveView, type ConditionChange, type LiveSample } from '../../../gateway/live/live-view.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';

const at = { site: 's', building: 'b1', floor: 'F1' };
const panel: DeviceInfo = { id: 'fp-1', name: 'Panel', kind: 'fire_panel', location: at, connector: 'c', zones: 2 };
const smoke: DeviceInfo = { id: 'sd-1', name: 'Smoke', kind: 'smoke_detector', location: at, connector: 'c' };
const lift: DeviceInfo = { id: 'el-1', name: 'Lift', kind: 'elevator', location: at, connector: 'c' };

const good = (device: string, point: string, value: LiveSample['value'], ts = 1_000): LiveSample => ({ device, point, value, ts, quality: 'good' });
const lost = (device: string, point: string, ts = 2_000): LiveSample => ({ device, point, value: null, ts, quality: 'bad', reason: 'comms lost' });
const panelNormal = (ts = 1_000): LiveSample[] => [
  good('fp-1', 'zone_1_state', 'normal', ts),
  good('fp-1', 'zone_2_state', 'normal', ts),
  good('fp-1', 'panel_fault', false, ts),
];

describe('live view: comms state and device condition', () => {
  it('before any sample a device is unknown and not online', () => {
    const live = new LiveView([panel]);
    expect(live.state('fp-1')).toMatchObject({ online: false, comms: 'unknown', condition: { condition: 'unknown', reason: 'nothing read yet' } });
  });

  it('a comms-lost sample makes the device offline at once; a good sample makes it online again', () => {
    const live = new LiveView([smoke]);
    live.apply([good('sd-1', 'alarm', false), good('sd-1', 'tamper', false)]);
    expect(live.state('sd-1')).toMatchObject({ online: true, comms: 'ok', condition: { condition: 'normal' } });
    live.apply([lost('sd-1', 'alarm'), lost('sd-1', 'tamper')]);
    expect(live.state('sd-1')).toMatchObject({ online: false, comms: 'lost', condition: { condition: 'comms_lost', reason: 'comms lost' } });
    expect(live.state('sd-1')?.points.alarm).toEqual({ value: null, ts: 2_000, quality: 'bad', reason: 'comms lost' });
    expect(live.commsLost()).toEqual(['sd-1']);
    live.apply([good('sd-1', 'alarm', false, 3_000), good('sd-1', 'tamper', false, 3_000)]);
    expect(live.state('sd-1')).toMatchObject({ online: true, comms: 'ok', condition: { condition: 'normal' } });
    expect(live.commsLost()).toEqual([]);
  });

  it('a device whose clock is behind the gateway comes back after a comms loss', () => {
    const live = new LiveView([smoke]);
    live.apply([good('sd-1', 'alarm', false, 1_000), good('sd-1', 'tamper', false, 1_000)]);
    live.apply([lost('sd-1', 'alarm', 5_000), lost('sd-1', 'tamper', 5_000)]);
    live.apply([good('sd-1', 'alarm', true, 1_500), good('sd-1', 'tamper', false, 1_500)]);
    expect(live.state('sd-1')).toMatchObject({ online: true, comms: 'ok', condition: { condition: 'in_alarm' } });
    expect(live.state('sd-1')?.points.alarm).toEqual({ value: true, ts: 1_500, quality: 'good' });
  });

  it('a fire zone in fire puts the panel in alarm, never normal', () => {
    const live = new LiveView([panel]);
    live.apply([...panelNormal(), good('fp-1', 'zone_2_state', 'fire', 1_500)]);
    expect(live.state('fp-1')?.condition).toEqual({ condition: 'in_alarm', reason: 'zone_2_state=fire' });
  });

  it('a zone never read leaves the panel unknown, not normal', () => {
    const live = new LiveView([panel]);
    live.apply([good('fp-1', 'zone_1_state', 'normal'), good('fp-1', 'panel_fault', false)]);
    expect(live.state('fp-1')?.condition).toEqual({ condition: 'unknown', reason: 'zone_2_state not yet read' });
    live.apply([{ device: 'fp-1', point: 'zone_2_state', value: null, ts: 1_100, quality: 'uncertain', reason: 'not yet read' }]);
    expect(live.state('fp-1')?.condition.condition).toBe('unknown');
    live.apply([good('fp-1', 'zone_2_state', 'normal', 1_200)]);
    expect(live.state('fp-1')?.condition.condition).toBe('normal');
  });

  it('faults come from the kind descriptor (zone fault, elevator fault code)', () => {
    const live = new LiveView([panel, lift]);
    live.apply([...panelNormal(), good('fp-1', 'zone_1_state', 'fault', 1_100)]);
    expect(live.state('fp-1')?.condition).toEqual({ condition: 'fault', reason: 'zone_1_state=fault' });
    live.apply([good('el-1', 'in_service', true), good('el-1', 'fault_code', 12), good('el-1', 'alarm_button', false), good('el-1', 'moving', true)]);
    expect(live.state('el-1')?.condition).toEqual({ condition: 'fault', reason: 'fault_code=12' });
  });

  it('an alarm button pressed in a car standing still is in alarm (possible entrapment)', () => {
    const live = new LiveView([lift]);
    live.apply([good('el-1', 'in_service', false), good('el-1', 'fault_code', 41), good('el-1', 'alarm_button', true), good('el-1', 'moving', false)]);
    expect(live.state('el-1')?.condition).toEqual({ condition: 'in_alarm', reason: 'alarm_button=true & moving=false' });
  });

  it('maintenance mode is drawn as maintenance, but a fire still shows in alarm', () => {
    const modes = new Map<string, string>([['fp-1', 'maintenance']]);
    const live = new LiveView([panel], { modeOf: (id) => modes.get(id) });
    live.apply(panelNormal());
    expect(live.state('fp-1')?.condition).toEqual({ condition: 'maintenance', reason: 'maintenance' });
    live.apply([good('fp-1', 'zone_1_state', 'fire', 1_100)]);
    expect(live.state('fp-1')?.condition.condition).toBe('in_alarm');
    modes.delete('fp-1');
    live.apply([good('fp-1', 'zone_1_state', 'normal', 1_200)]);
    expect(live.state('fp-1')?.condition.condition).toBe('normal');
  });

  it('announces each change of condition or comms once', () => {
    const live = new LiveView([smoke]);
    const changes: ConditionChange[] = [];
    live.onCondition((c) => changes.push(c));
    live.apply([good('sd-1', 'alarm', false), good('sd-1', 'tamper', false)]);
    live.apply([good('sd-1', 'alarm', false, 1_100)]);
    live.apply([good('sd-1', 'alarm', true, 1_200)]);
    live.apply([lost('sd-1', 'alarm', 1_300)]);
    expect(changes.map((c) => [c.online, c.comms, c.condition.condition])).toEqual([
      [true, 'ok', 'normal'],
      [true, 'ok', 'in_alarm'],
      [false, 'lost', 'comms_lost'],
    ]);
  });

  it('values seeded from the store after a restart keep comms unknown', () => {
    const live = new LiveView([smoke]);
    live.seed([good('sd-1', 'alarm', false), good('sd-1', 'tamper', false)]);
    expect(live.state('sd-1')).toMatchObject({ online: false, comms: 'unknown', condition: { condition: 'unknown' } });
    expect(live.state('sd-1')?.points.alarm?.value).toBe(false);
  });
});
