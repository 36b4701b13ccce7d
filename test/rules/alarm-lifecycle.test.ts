import { afterEach, describe, expect, it } from 'vitest';
import { AlarmActionError } from '../../rules/alarms/alarm-service.ts';
import type { AlarmRecord } from '../../rules/alarms/alarm-model.ts';
import { device, harness, type Harness } from './harness.ts';

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

const doors = [device('d1', 'access_door'), device('d2', 'access_door', 'b1', 'B1')];

function rig(opts: { latching?: boolean; settings?: Record<string, unknown>; devices?: typeof doors } = {}): Harness {
  const h = harness({
    devices: opts.devices ?? doors,
    rules: [{ id: 'forced', title: 'Door forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2, latching: opts.latching ?? false }],
    settings: opts.settings ?? { chatter: { transitions: 1000 } },
  });
  open.push(h);
  return h;
}

const only = (h: Harness): AlarmRecord => {
  const all = h.service.active();
  expect(all).toHaveLength(1);
  return all[0] as AlarmRecord;
};
const journalTypes = (h: Harness, id: string): string[] => h.service.journal(id).map((j) => `${j.type}:${j.fromState ?? '-'}>${j.toState}`);

describe('ISA-18.2 transitions (non-latching)', () => {
  it('normal → active-unack on raise, journaled with the values', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const a = only(h);
    expect(a).toMatchObject({ state: 'active-unack', conditionActive: true, device: 'd1', rule: 'forced', priority: 2, priorityLabel: 'High: respond within 15 minutes', occurrences: 1 });
    expect(journalTypes(h, a.id)).toEqual(['raised:->active-unack']);
    expect(h.service.journal(a.id)[0]?.values).toEqual({ forced_open: true });
  });

  it('active-unack → active-ack on acknowledge → normal on clear', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    h.advance(1000);
    expect(h.service.acknowledge(id, 'alice').state).toBe('active-ack');
    h.push('d1', 'forced_open', false);
    expect(h.service.active()).toEqual([]);
    const closed = h.service.get(id);
    expect(closed).toMatchObject({ state: 'normal', ackedBy: 'alice', conditionActive: false });
    expect(closed?.closedAt).toBe(h.clock.now());
    expect(journalTypes(h, id)).toEqual(['raised:->active-unack', 'acknowledged:active-unack>active-ack', 'cleared:active-ack>normal']);
    expect(h.events.map((e) => [e.type, e.by])).toEqual([['raised', undefined], ['acknowledged', 'alice'], ['cleared', undefined]]);
  });

  it('active-unack → rtn-unack on clear → normal on acknowledge', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    h.push('d1', 'forced_open', false);
    const a = only(h);
    expect(a.state).toBe('rtn-unack');
    expect(h.service.acknowledge(a.id, 'bob').state).toBe('normal');
    expect(h.service.active()).toEqual([]);
    expect(journalTypes(h, a.id)).toEqual(['raised:->active-unack', 'cleared:active-unack>rtn-unack', 'acknowledged:rtn-unack>normal']);
  });

  it('rtn-unack → active-unack when the condition returns: same instance, occurrences counted', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    h.push('d1', 'forced_open', false);
    h.push('d1', 'forced_open', true);
    expect(only(h)).toMatchObject({ id, state: 'active-unack', occurrences: 2 });
  });

  it('a new occurrence after normal is a new instance', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const first = only(h).id;
    h.service.acknowledge(first, 'a');
    h.push('d1', 'forced_open', false);
    h.push('d1', 'forced_open', true);
    expect(only(h).id).not.toBe(first);
    expect(h.service.history({ device: 'd1' })).toHaveLength(2);
  });

  it('acknowledging twice, or a closed alarm, is a conflict; an unknown id is not found', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    h.service.acknowledge(id, 'a');
    expect(() => h.service.acknowledge(id, 'a')).toThrow(/already acknowledged/);
    h.push('d1', 'forced_open', false);
    expect(() => h.service.acknowledge(id, 'a')).toThrow(AlarmActionError);
    expect(() => h.service.acknowledge('nope', 'a')).toThrow(/no alarm "nope"/);
  });

  it('comment journals the text on open and closed alarms', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    h.service.comment(id, 'carol', 'guard sent');
    expect(h.service.journal(id).at(-1)).toMatchObject({ type: 'comment', by: 'carol', text: 'guard sent' });
    expect(() => h.service.comment(id, 'carol', ' ')).toThrow(/text/);
  });
});

describe('latching alarms', () => {
  it('stay active until acknowledged and reset', () => {
    const h = rig({ latching: true });
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    h.push('d1', 'forced_open', false);
    expect(only(h)).toMatchObject({ state: 'active-unack', conditionActive: false });
    expect(() => h.service.reset(id, 'a')).toThrow(/acknowledged before/);
    expect(h.service.acknowledge(id, 'a')).toMatchObject({ state: 'active-ack' });
    expect(h.service.active()).toHaveLength(1);
    expect(h.service.reset(id, 'a')).toMatchObject({ state: 'normal' });
    expect(h.service.active()).toEqual([]);
    expect(journalTypes(h, id)).toEqual([
      'raised:->active-unack',
      'cleared:active-unack>active-unack',
      'acknowledged:active-unack>active-ack',
      'reset:active-ack>normal',
    ]);
  });

  it('cannot be reset while the condition is active; non-latching alarms cannot be reset', () => {
    const h = rig({ latching: true });
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    h.service.acknowledge(id, 'a');
    expect(() => h.service.reset(id, 'a')).toThrow(/still active/);
    const h2 = rig();
    h2.push('d1', 'forced_open', true);
    expect(() => h2.service.reset(only(h2).id, 'a')).toThrow(/not latching/);
  });
});

describe('shelving', () => {
  it('shelve with reason and expiry; unshelved at expiry by the clock', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    const shelved = h.service.shelve(id, 'dave', 'door repair', 60_000);
    expect(shelved.shelved).toMatchObject({ by: 'dave', reason: 'door repair', until: h.clock.now() + 60_000 });
    h.advance(59_999);
    expect(only(h).shelved).not.toBeNull();
    h.advance(1);
    expect(only(h).shelved).toBeNull();
    expect(h.events.at(-1)).toMatchObject({ type: 'unshelved', by: 'system:expiry' });
  });

  it('a new occurrence while shelved starts shelved; unshelve by an operator ends it', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    h.service.shelve(id, 'dave', 'nuisance', 3_600_000);
    h.service.acknowledge(id, 'dave');
    h.push('d1', 'forced_open', false);
    h.push('d1', 'forced_open', true);
    const again = only(h);
    expect(again.id).not.toBe(id);
    expect(again.shelved?.reason).toBe('nuisance');
    expect(h.service.unshelve(again.id, 'erin').shelved).toBeNull();
    expect(() => h.service.unshelve(again.id, 'erin')).toThrow(/not shelved/);
  });

  it('rejects a missing reason and a shelf longer than alarms.maxShelve', () => {
    const h = rig({ settings: { maxShelve: '1h' } });
    h.push('d1', 'forced_open', true);
    const id = only(h).id;
    expect(() => h.service.shelve(id, 'a', '', 1000)).toThrow(/reason/);
    expect(() => h.service.shelve(id, 'a', 'x', 7_200_000)).toThrow(/duration/);
  });
});

describe('suppression by device mode', () => {
  it('alarms of a device in maintenance are recorded as suppressed, not announced', () => {
    const h = rig();
    h.service.setDeviceMode('d1', 'maintenance', 'tech', 'replacing lock');
    h.push('d1', 'forced_open', true);
    const a = only(h);
    expect(a).toMatchObject({ suppressed: true, state: 'active-unack' });
    expect(h.types()).toEqual(['suppressed']);
    h.push('d1', 'forced_open', false);
    expect(h.service.active()).toEqual([]); // nobody was told: closes without acknowledgement
    expect(journalTypes(h, a.id)).toEqual(['suppressed:->active-unack', 'cleared:active-unack>normal']);
  });

  it('entering maintenance suppresses open alarms; back in service announces the still-active ones', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    h.service.setDeviceMode('d1', 'out_of_service', 'tech', '');
    expect(only(h).suppressed).toBe(true);
    h.service.setDeviceMode('d1', 'in_service', 'tech', 'done');
    expect(only(h).suppressed).toBe(false);
    expect(h.types()).toEqual(['raised', 'suppressed', 'raised']);
    expect(h.service.deviceModes()).toEqual([]);
    expect(() => h.service.setDeviceMode('zz', 'maintenance', 'a', '')).toThrow(/no device/);
  });
  it('an alarm that already returned to normal is not suppressed: it still awaits acknowledgement', () => {
    const h = rig();
    h.push('d1', 'forced_open', true);
    h.push('d1', 'forced_open', false);
    h.service.setDeviceMode('d1', 'maintenance', 'tech', '');
    expect(only(h)).toMatchObject({ state: 'rtn-unack', suppressed: false });
    h.service.setDeviceMode('d1', 'in_service', 'tech', '');
    expect(only(h)).toMatchObject({ state: 'rtn-unack', suppressed: false, conditionActive: false });
  });
});

describe('chattering and flood', () => {
  it('3 transitions within a minute flag the alarm as chattering once; it stays one alarm', () => {
    const h = rig({ settings: {} });
    for (let i = 0; i < 6; i++) {
      h.push('d1', 'forced_open', i % 2 === 0);
      h.advance(5_000);
    }
    const a = only(h);
    expect(a.chattering).toBe(true);
    expect(h.types().filter((t) => t === 'chattering')).toHaveLength(1);
    expect(h.service.history()).toHaveLength(1);
  });

  it('transitions spread over more than a minute are not chattering', () => {
    const h = rig({ settings: {} });
    for (let i = 0; i < 6; i++) {
      h.push('d1', 'forced_open', i % 2 === 0);
      h.advance(31_000);
    }
    expect(only(h).chattering).toBe(false);
  });

  it('more than 10 alarms started within 10 minutes in one building is a flood', () => {
    const devices = Array.from({ length: 14 }, (_, i) => device(`d${i}`, 'access_door', i < 12 ? 'b1' : 'b2'));
    const h = rig({ devices, settings: {} });
    for (let i = 0; i < 10; i++) {
      h.push(`d${i}`, 'forced_open', true);
      h.advance(30_000);
    }
    expect(h.types()).not.toContain('flood');
    h.push('d12', 'forced_open', true); // the 11th in the site (b1: 10, b2: 1): a site flood, not a building one
    h.push('d13', 'forced_open', true);
    expect(h.events.filter((e) => e.type === 'flood').map((e) => e.flood)).toEqual([{ scope: 'site', building: 'b2', site: 'test', count: 11, windowMs: 600_000 }]);
    h.push('d10', 'forced_open', true);
    const flood = h.events.filter((e) => e.type === 'flood')[1];
    expect(flood?.flood).toEqual({ scope: 'building', building: 'b1', count: 11, windowMs: 600_000 });
    expect(h.service.floods()).toEqual([
      { scope: 'site', building: '', site: 'test', count: 13, windowMs: 600_000 },
      { scope: 'building', building: 'b1', count: 11, windowMs: 600_000 },
    ]);
    h.push('d11', 'forced_open', true);
    expect(h.types().filter((t) => t === 'flood')).toHaveLength(2);
    h.advance(600_000);
    expect(h.service.floods()).toEqual([]);
  });

  it('alarms spread over buildings, none flooding alone, flood the site', () => {
    const devices = Array.from({ length: 12 }, (_, i) => device(`d${i}`, 'access_door', `b${i % 4}`));
    const h = rig({ devices, settings: {} });
    for (let i = 0; i < 11; i++) h.push(`d${i}`, 'forced_open', true);
    const floods = h.events.filter((e) => e.type === 'flood').map((e) => e.flood);
    expect(floods).toEqual([{ scope: 'site', building: 'b2', site: 'test', count: 11, windowMs: 600_000 }]);
    expect(h.service.floods().map((f) => f.scope)).toEqual(['site']);
  });
});

describe('a failed write', () => {
  it('announces nothing, leaves memory equal to the database, and the next sample retries', () => {
    const h = rig();
    const store = h.service.store;
    const original = store.journal.bind(store);
    let fail = true;
    store.journal = (row) => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      original(row);
    };
    h.push('d1', 'forced_open', true);
    expect(h.events).toEqual([]);
    expect(h.service.manager.openRecords()).toEqual([]);
    expect(h.service.active()).toEqual([]);
    expect(h.service.engine.stats().errors).toBe(1);
    h.push('d1', 'forced_open', true);
    expect(h.types()).toEqual(['raised']);
    expect(h.service.journal(only(h).id)).toHaveLength(1);
  });
});
