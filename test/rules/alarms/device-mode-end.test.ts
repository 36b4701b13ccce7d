/**
 * A device mode's end time (`until`): the gateway puts the device back in service on its own at that
 * time (a timer on the Clock), journaled by `system:mode-end`; suppressed alarms standing then are
 * announced; the end time survives a restart, and one passed while the gateway was down ends the
 * mode at the first tick after the start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceModeInfo } from '../../../rules/alarms/index.ts';
import { MAX_MODE_SPAN_MS, MODE_END_BY } from '../../../rules/alarms/index.ts';
import { device, harness, type Harness } from '../harness.ts';

const devices = [device('p1', 'pump'), device('p2', 'pump')];
const rules = [{ id: 'trip', title: 'Trip', scope: { kind: 'pump' as const }, when: { type: 'state' as const, point: 'tripped', equals: true }, priority: 2 }];
const HOUR = 3_600_000;

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});
function start(h?: Harness): Harness {
  const next = h ? h.reopen() : harness({ devices, rules });
  open.push(next);
  return next;
}

describe('device mode end time', () => {
  it('at its end time the device goes back in service on its own, journaled by system:mode-end, and its standing alarm is announced', () => {
    const h = start();
    const changes: DeviceModeInfo[] = [];
    h.service.onModeChange((m) => changes.push(m));
    const until = h.clock.now() + 2 * HOUR;
    expect(h.service.setDeviceMode('p1', 'maintenance', 'olga', 'bearing change', until)).toMatchObject({ mode: 'maintenance', until });
    expect(h.service.deviceModes()).toMatchObject([{ device: 'p1', mode: 'maintenance', until }]);
    h.push('p1', 'tripped', true);
    expect(h.service.manager.openFor('trip', 'p1')?.suppressed).toBe(true);

    h.advance(2 * HOUR - 1);
    expect(h.service.deviceModes()).toHaveLength(1);
    h.advance(1);
    expect(h.service.deviceModes()).toEqual([]);
    const [ended, set] = h.service.deviceModeLog('p1');
    expect(ended).toMatchObject({ mode: 'in_service', by: MODE_END_BY, since: until });
    expect(ended?.reason).toContain(new Date(until).toISOString());
    expect(set).toMatchObject({ mode: 'maintenance', by: 'olga', reason: 'bearing change', until });
    expect(changes.map((c) => `${c.mode} ${c.by}`)).toEqual(['maintenance olga', `in_service ${MODE_END_BY}`]);
    // the trip still stands: announced now, by the end of the maintenance
    const alarm = h.service.manager.openFor('trip', 'p1');
    expect(alarm).toMatchObject({ suppressed: false, state: 'active-unack' });
    expect(h.service.journal(alarm?.id as string).at(-1)).toMatchObject({ type: 'raised', by: MODE_END_BY });
  });

  it('a later change of mode replaces the end time; without one, the mode stands until an operator ends it', () => {
    const h = start();
    const now = h.clock.now();
    h.service.setDeviceMode('p1', 'maintenance', 'olga', 'inspection', now + HOUR);
    h.service.setDeviceMode('p1', 'maintenance', 'olga', 'inspection, longer', now + 3 * HOUR);
    h.service.setDeviceMode('p2', 'out_of_service', 'olga', 'flooded', now + HOUR);
    h.service.setDeviceMode('p2', 'out_of_service', 'olga', 'flooded, no end');
    h.advance(2 * HOUR);
    expect(h.service.deviceModes().map((m) => `${m.device} ${m.mode} ${m.until}`).sort()).toEqual([`p1 maintenance ${now + 3 * HOUR}`, 'p2 out_of_service null']);
    h.advance(HOUR);
    expect(h.service.deviceModes().map((m) => m.device)).toEqual(['p2']);
    h.advance(400 * 86_400_000);
    expect(h.service.deviceModes().map((m) => m.device)).toEqual(['p2']);
  });

  it('an end time beyond the timer limit of 24.8 days ends the mode at that time, not at once', () => {
    const h = start();
    const until = h.clock.now() + 40 * 86_400_000;
    h.service.setDeviceMode('p1', 'maintenance', 'olga', 'overhaul', until);
    h.advance(40 * 86_400_000 - 1);
    expect(h.service.deviceModes()).toHaveLength(1);
    h.advance(1);
    expect(h.service.deviceModes()).toEqual([]);
  });

  it('survives a restart: re-armed from gateway.db; an end time passed while down ends the mode at the start', () => {
    const h1 = start();
    const now = h1.clock.now();
    h1.service.setDeviceMode('p1', 'maintenance', 'olga', 'short job', now + HOUR);
    h1.service.setDeviceMode('p2', 'maintenance', 'olga', 'long job', now + 5 * HOUR);
    h1.close();
    h1.advance(2 * HOUR); // down past p1's end time
    const h2 = start(h1);
    expect(h2.service.deviceModes().map((m) => m.device).sort()).toEqual(['p1', 'p2']);
    h2.advance(0);
    expect(h2.service.deviceModes().map((m) => `${m.device} ${m.until}`)).toEqual([`p2 ${now + 5 * HOUR}`]);
    expect(h2.service.deviceModeLog('p1')[0]).toMatchObject({ mode: 'in_service', by: MODE_END_BY, since: now + 2 * HOUR });
    h2.advance(3 * HOUR - 1);
    expect(h2.service.deviceModes()).toHaveLength(1);
    h2.advance(1);
    expect(h2.service.deviceModes()).toEqual([]);
    expect(h2.service.deviceModeLog('p2')[0]).toMatchObject({ mode: 'in_service', by: MODE_END_BY });
  });

  it('refuses an end time in the past, too far ahead, or on in service, naming until', () => {
    const h = start();
    const now = h.clock.now();
    expect(() => h.service.setDeviceMode('p1', 'maintenance', 'olga', 'x', now)).toThrow(/until: the end time must be in the future/);
    expect(() => h.service.setDeviceMode('p1', 'maintenance', 'olga', 'x', now + MAX_MODE_SPAN_MS + 1)).toThrow(/until: the end time must be within 366 days/);
    expect(() => h.service.setDeviceMode('p1', 'in_service', 'olga', 'x', now + HOUR)).toThrow(/until: an end time belongs to maintenance or out of service/);
    expect(h.service.deviceModes()).toEqual([]);
    expect(h.service.deviceModeLog('p1')).toEqual([]);
  });
});
