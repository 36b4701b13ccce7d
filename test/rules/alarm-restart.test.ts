import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../gateway/model/sample.ts';
import { AlarmStore } from '../../rules/alarms/alarm-store.ts';
import { device, harness, tempDir, type Harness } from './harness.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

const devices = [device('s1', 'smoke_detector'), device('d1', 'access_door'), device('d2', 'access_door'), device('p1', 'pump')];
const rules = [
  { id: 'smoke', title: 'Smoke', scope: { kind: 'smoke_detector' as const }, when: { type: 'state' as const, point: 'alarm', equals: true }, priority: 1, latching: true },
  { id: 'forced', title: 'Forced', scope: { kind: 'access_door' as const }, when: { type: 'state' as const, point: 'forced_open', equals: true }, priority: 2 },
  { id: 'trip', title: 'Trip', scope: { kind: 'pump' as const }, when: { type: 'state' as const, point: 'tripped', equals: true }, priority: 2, onDelay: '5s' },
];

function start(dbFile: string, h?: Harness, seed: readonly Sample[] = []): Harness {
  const next = harness({ devices, rules, dbFile, seed, ...(h ? { clock: h.clock } : {}) });
  cleanup.push(() => next.close());
  return next;
}

const sample = (h: Harness, d: string, point: string, value: boolean): Sample => ({ device: d, point, value, ts: h.clock.now(), quality: 'good' });

describe('restart (close and reopen the database)', () => {
  it('the same alarms are open, none duplicated, shelves and maintenance restored', () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const db = join(tmp.dir, 'gateway.db');
    const h1 = start(db);
    h1.push('s1', 'alarm', true);
    h1.push('d1', 'forced_open', true);
    h1.push('d2', 'forced_open', true);
    const d1 = h1.service.manager.openFor('forced', 'd1');
    h1.service.shelve(d1?.id as string, 'op', 'repair', 60_000);
    h1.service.setDeviceMode('p1', 'maintenance', 'op', 'overhaul');
    const before = h1.service.active().sort((a, b) => a.id.localeCompare(b.id));
    h1.close();

    h1.advance(10_000);
    const seed = [sample(h1, 's1', 'alarm', true), sample(h1, 'd1', 'forced_open', true), sample(h1, 'd2', 'forced_open', true)];
    const h2 = start(db, h1, seed);
    expect(h2.service.active().sort((a, b) => a.id.localeCompare(b.id))).toEqual(before);
    expect(h2.events).toEqual([]); // resumed: nothing raised again
    expect(h2.service.deviceModes()).toMatchObject([{ device: 'p1', mode: 'maintenance' }]);
    // The condition repeating after the restart does not create another instance.
    h2.push('d2', 'forced_open', true);
    h2.push('s1', 'alarm', true);
    expect(h2.service.history()).toHaveLength(3);
    // The shelf expires on time (60 s after it was set, 10 s of which passed while down).
    h2.advance(49_999);
    expect(h2.service.get(d1?.id as string)?.shelved).not.toBeNull();
    h2.advance(1);
    expect(h2.events.map((e) => e.type)).toEqual(['unshelved']);
    // Maintenance still suppresses after the restart.
    h2.push('p1', 'tripped', true);
    h2.advance(5_000);
    expect(h2.service.manager.openFor('trip', 'p1')?.suppressed).toBe(true);
  });

  it('rules resume from current values: what changed while down is raised or cleared at start', () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const db = join(tmp.dir, 'gateway.db');
    const h1 = start(db);
    h1.push('d1', 'forced_open', true);
    const latched = (h1.push('s1', 'alarm', true), h1.service.manager.openFor('smoke', 's1'));
    h1.close();
    const seed = [sample(h1, 'd1', 'forced_open', false), sample(h1, 'd2', 'forced_open', true), sample(h1, 's1', 'alarm', false), sample(h1, 'p1', 'tripped', true)];
    const h2 = start(db, h1, seed);
    expect(h2.events.map((e) => `${e.type}:${e.alarm.device}`).sort()).toEqual(['cleared:d1', 'cleared:s1', 'raised:d2']);
    expect(h2.service.manager.openFor('forced', 'd1')?.state).toBe('rtn-unack');
    expect(h2.service.manager.openFor('smoke', 's1')).toMatchObject({ id: latched?.id, state: 'active-unack', conditionActive: false });
    h2.advance(5_000); // the on-delay runs from the restart
    expect(h2.service.manager.openFor('trip', 'p1')?.state).toBe('active-unack');
  });

  it('an open alarm whose rule was removed from the config is cleared once at start', () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const db = join(tmp.dir, 'gateway.db');
    const h1 = start(db);
    h1.push('d1', 'forced_open', true);
    h1.close();
    const h2 = harness({ devices, rules: rules.filter((r) => r.id !== 'forced'), dbFile: db, clock: h1.clock });
    cleanup.push(() => h2.close());
    expect(h2.service.active()).toMatchObject([{ rule: 'forced', state: 'rtn-unack', conditionActive: false }]);
  });
});
