import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAlarmEvent, byPriorityThenNewest, floodFromEvent, isAnnounced, isUnacked, matchesFilter, NO_FILTER } from '../../dashboard/src/alarms/alarm-list.ts';
import type { AlarmEvent, AlarmPriority, AlarmRecord, AlarmState } from '../../rules/alarms/alarm-model.ts';

function alarm(over: Partial<AlarmRecord> = {}): AlarmRecord {
  return {
    id: 'a1',
    rule: 'smoke.alarm',
    device: 'smoke-b1-f1',
    kind: 'smoke_detector',
    site: 'demo',
    building: 'b1',
    floor: 'F1',
    title: 'Smoke detector in alarm',
    priority: 1,
    priorityLabel: 'Emergency',
    latching: true,
    workOrder: null,
    state: 'active-unack',
    conditionActive: true,
    raisedAt: 1_000,
    updatedAt: 1_000,
    occurrences: 1,
    ackedAt: null,
    ackedBy: null,
    clearedAt: null,
    closedAt: null,
    shelved: null,
    suppressed: false,
    chattering: false,
    values: {},
    ...over,
  };
}
const event = (a: AlarmRecord, type: AlarmEvent['type'] = 'raised'): AlarmEvent => ({ type, alarm: a, at: a.updatedAt });

describe('alarm console list', () => {
  it('sorts by priority, then newest first within a priority', () => {
    const list = [
      alarm({ id: 'p2-old', priority: 2, raisedAt: 1 }),
      alarm({ id: 'p1-old', priority: 1, raisedAt: 1 }),
      alarm({ id: 'p2-new', priority: 2, raisedAt: 5 }),
      alarm({ id: 'p1-new', priority: 1, raisedAt: 5 }),
      alarm({ id: 'p4', priority: 4, raisedAt: 9 }),
    ];
    expect(list.sort(byPriorityThenNewest).map((a) => a.id)).toEqual(['p1-new', 'p1-old', 'p2-new', 'p2-old', 'p4']);
  });

  it('filters by building, floor, kind and priority; an empty field matches all', () => {
    const a = alarm({ building: 'b2', floor: 'F3', kind: 'pump', priority: 3 });
    expect(matchesFilter(a, NO_FILTER)).toBe(true);
    expect(matchesFilter(a, { ...NO_FILTER, building: 'b2', floor: 'F3', kind: 'pump', priority: '3' })).toBe(true);
    expect(matchesFilter(a, { ...NO_FILTER, building: 'b1' })).toBe(false);
    expect(matchesFilter(a, { ...NO_FILTER, floor: 'F1' })).toBe(false);
    expect(matchesFilter(a, { ...NO_FILTER, kind: 'elevator' })).toBe(false);
    expect(matchesFilter(a, { ...NO_FILTER, priority: '1' })).toBe(false);
  });

  it('tells announced from shelved or suppressed, and unacknowledged states', () => {
    expect(isAnnounced(alarm())).toBe(true);
    expect(isAnnounced(alarm({ shelved: { by: 'op', reason: 'r', at: 1, until: 2 } }))).toBe(false);
    expect(isAnnounced(alarm({ suppressed: true }))).toBe(false);
    expect((['active-unack', 'active-ack', 'rtn-unack', 'normal'] as AlarmState[]).map((state) => isUnacked(alarm({ state })))).toEqual([true, false, true, false]);
  });

  it('an event adds or updates its alarm; reaching normal removes it; an older copy never wins', () => {
    const open = new Map<string, AlarmRecord>();
    applyAlarmEvent(open, event(alarm()));
    applyAlarmEvent(open, event(alarm({ state: 'active-ack', updatedAt: 2_000 }), 'acknowledged'));
    applyAlarmEvent(open, event(alarm({ updatedAt: 1_500 }))); // crossed with a reload: older
    expect(open.get('a1')?.state).toBe('active-ack');
    applyAlarmEvent(open, event(alarm({ state: 'normal', closedAt: 3_000, updatedAt: 3_000 }), 'reset'));
    expect(open.size).toBe(0);
  });

  it('whatever the order events arrive in, the newest copy of each alarm is kept', () => {
    const states: AlarmState[] = ['active-unack', 'active-ack', 'rtn-unack'];
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 1, max: 1000 }), s: fc.constantFrom(...states) }), { minLength: 1, maxLength: 30 }), (raw) => {
        const events = raw.map((r, k) => alarm({ id: r.id, state: r.s, updatedAt: r.t * 100 + k }));
        const open = new Map<string, AlarmRecord>();
        for (const a of events) applyAlarmEvent(open, event(a));
        for (const id of new Set(events.map((a) => a.id))) {
          const newest = events.filter((a) => a.id === id).reduce((x, y) => (y.updatedAt > x.updatedAt ? y : x));
          expect(open.get(id)).toBe(newest);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a flood event says where and until when', () => {
    const e: AlarmEvent = { type: 'flood', alarm: alarm({ priority: 2 as AlarmPriority }), at: 10_000, flood: { building: 'b1', count: 11, windowMs: 600_000 } };
    expect(floodFromEvent(e)).toEqual({ building: 'b1', count: 11, windowMs: 600_000, until: 610_000 });
    expect(floodFromEvent(event(alarm()))).toBeNull();
  });
});

describe('life-safety strip and grouped consequences', () => {
  it('keeps a shelved or suppressed P1 / life-safety alarm in the strip, not an ordinary one', async () => {
    const { isHiddenLifeSafety } = await import('../../dashboard/src/alarms/alarm-list.ts');
    const shelf = { by: 'admin', reason: 'test', at: 0, until: 1 };
    expect(isHiddenLifeSafety(alarm({ shelved: shelf }))).toBe(true);
    expect(isHiddenLifeSafety(alarm({ suppressed: true }))).toBe(true);
    expect(isHiddenLifeSafety(alarm({ priority: 2, lifeSafety: true, shelved: shelf }))).toBe(true);
    expect(isHiddenLifeSafety(alarm({ priority: 2, shelved: shelf }))).toBe(false);
    expect(isHiddenLifeSafety(alarm())).toBe(false);
  });

  it('draws consequences right under their parent, and the parent alone counts as announced', async () => {
    const { groupRows } = await import('../../dashboard/src/alarms/alarm-list.ts');
    const parent = alarm({ id: 'p', priority: 1 });
    const fault = alarm({ id: 'c1', priority: 3, parent: 'p', suppressed: true });
    const oos = alarm({ id: 'c2', priority: 3, parent: 'p', suppressed: true });
    const other = alarm({ id: 'o', priority: 2 });
    const orphan = alarm({ id: 'x', priority: 3, parent: 'gone', suppressed: true });
    const r = groupRows([parent, other, fault, oos, orphan]);
    expect(r.rows.map((x) => `${x.alarm.id}${x.child ? '(child)' : ''}`)).toEqual(['p', 'c1(child)', 'c2(child)', 'o']);
    expect(r.apart.map((a) => a.id)).toEqual(['x']);
  });
});
