import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlarmActionError } from '../../rules/alarms/alarm-service.ts';
import type { AlarmRecord } from '../../rules/alarms/alarm-model.ts';
import { device, harness, tempDir, type Harness } from './harness.ts';

const DEVICES = ['d1', 'd2', 'd3'];
const POINTS = ['forced_open', 'held_open'] as const; // forced: non-latching; held: latching

type Cmd =
  | { t: 'set'; d: number; p: number; v: boolean }
  | { t: 'ack'; i: number }
  | { t: 'reset'; i: number }
  | { t: 'shelve'; i: number; ms: number }
  | { t: 'unshelve'; i: number }
  | { t: 'comment'; i: number }
  | { t: 'mode'; d: number; m: 'in_service' | 'maintenance' }
  | { t: 'advance'; ms: number }
  | { t: 'restart' };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), d: fc.nat(2), p: fc.nat(1), v: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('ack' as const), i: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reset' as const), i: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('shelve' as const), i: fc.nat(9), ms: fc.integer({ min: 1_000, max: 120_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unshelve' as const), i: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('comment' as const), i: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('mode' as const), d: fc.nat(2), m: fc.constantFrom('in_service' as const, 'maintenance' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 90_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
);

function open(dbFile: string, clock?: Harness['clock']): Harness {
  return harness({
    dbFile,
    ...(clock ? { clock } : {}),
    devices: DEVICES.map((d) => device(d, 'access_door')),
    rules: [
      { id: 'forced', title: 'Forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2 },
      { id: 'held', title: 'Held', scope: { kind: 'access_door' }, when: { type: 'state', point: 'held_open', equals: true }, priority: 1, latching: true },
    ],
  });
}

function checkInvariants(h: Harness, emitted: Map<string, string[]>): void {
  const openRecords = h.service.manager.openRecords();
  // 1. At most one open instance per (rule, device), in memory and on disk, and they agree.
  const keys = openRecords.map((a) => `${a.rule}/${a.device}`);
  expect(new Set(keys).size).toBe(keys.length);
  const onDisk = h.service.active({ limit: 10_000 });
  expect(onDisk.map((a) => a.id).sort()).toEqual(openRecords.map((a) => a.id).sort());
  for (const a of onDisk) expect(openRecords.find((m) => m.id === a.id)).toEqual(a);
  // 2. Every emitted transition has its journal row, in order, and nothing was journaled unannounced.
  for (const [id, types] of emitted) expect(h.service.journal(id).map((j) => j.type)).toEqual(types);
  // 4. No shelf outlives its expiry.
  for (const a of openRecords) if (a.shelved) expect(a.shelved.until).toBeGreaterThan(h.clock.now());
  // States are consistent with the condition.
  for (const a of openRecords) {
    expect(a.closedAt).toBeNull();
    expect(a.state).not.toBe('normal');
    if (a.state === 'rtn-unack') expect(a.conditionActive).toBe(false);
    if (!a.latching && a.state !== 'rtn-unack') expect(a.conditionActive).toBe(true);
    if (a.suppressed) expect(a.conditionActive).toBe(true);
  }
}

describe('alarm lifecycle invariants over random event sequences', () => {
  it('hold for every sequence (including restarts)', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 60 }), (cmds) => {
        const tmp = tempDir();
        let h = open(`${tmp.dir}/gateway.db`);
        const emitted = new Map<string, string[]>();
        const listen = (hh: Harness): void => {
          hh.service.onEvent((e) => {
            const list = emitted.get(e.alarm.id) ?? [];
            list.push(e.type);
            emitted.set(e.alarm.id, list);
          });
        };
        listen(h);
        const values = new Map<string, boolean>();
        const pick = (i: number): AlarmRecord | undefined => {
          const all = h.service.manager.openRecords();
          return all.length === 0 ? undefined : all[i % all.length];
        };
        try {
          for (const c of cmds) {
            try {
              switch (c.t) {
                case 'set':
                  values.set(`${DEVICES[c.d]}/${POINTS[c.p]}`, c.v);
                  h.push(DEVICES[c.d] as string, POINTS[c.p] as string, c.v);
                  break;
                case 'ack': {
                  const a = pick(c.i);
                  if (!a) break;
                  const after = h.service.acknowledge(a.id, 'prop');
                  // 3. Acknowledging a returned-to-normal alarm closes it.
                  if (a.state === 'rtn-unack') {
                    expect(after.state).toBe('normal');
                    expect(h.service.manager.openFor(a.rule, a.device)).toBeUndefined();
                  }
                  break;
                }
                case 'reset': {
                  const a = pick(c.i);
                  if (a) h.service.reset(a.id, 'prop');
                  break;
                }
                case 'shelve': {
                  const a = pick(c.i);
                  if (a) h.service.shelve(a.id, 'prop', 'test', c.ms, 'admin'); // P1 'held' may be shelved by an admin only
                  break;
                }
                case 'unshelve': {
                  const a = pick(c.i);
                  if (a) h.service.unshelve(a.id, 'prop');
                  break;
                }
                case 'comment': {
                  const a = pick(c.i);
                  if (a) h.service.comment(a.id, 'prop', 'note');
                  break;
                }
                case 'mode':
                  h.service.setDeviceMode(DEVICES[c.d] as string, c.m, 'prop', '');
                  break;
                case 'advance':
                  h.advance(c.ms);
                  break;
                case 'restart': {
                  const before = h.service.manager.openRecords().map((a) => a.id).sort();
                  h.close();
                  const seed = [...values].map(([k, v]) => {
                    const [d, p] = k.split('/') as [string, string];
                    return { device: d, point: p, value: v, ts: h.clock.now(), quality: 'good' as const };
                  });
                  h = harness({
                    dbFile: h.dbFile,
                    clock: h.clock,
                    seed,
                    devices: DEVICES.map((d) => device(d, 'access_door')),
                    rules: [
                      { id: 'forced', title: 'Forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2 },
                      { id: 'held', title: 'Held', scope: { kind: 'access_door' }, when: { type: 'state', point: 'held_open', equals: true }, priority: 1, latching: true },
                    ],
                  });
                  listen(h);
                  // Same alarms open (the seed values equal the last ones: nothing to raise or clear).
                  expect(h.service.manager.openRecords().map((a) => a.id).sort()).toEqual(before);
                  break;
                }
              }
            } catch (err) {
              if (!(err instanceof AlarmActionError)) throw err;
            }
            checkInvariants(h, emitted);
          }
          // A final check of shelves at expiry: advance past every shelf; none is left shelved.
          h.advance(200_000);
          for (const a of h.service.manager.openRecords()) expect(a.shelved).toBeNull();
          checkInvariants(h, emitted);
          expect(h.service.store.journalCount()).toBe([...emitted.values()].reduce((n, l) => n + l.length, 0));
        } finally {
          h.close();
          tmp.remove();
        }
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
