import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonPayload } from '../../../../gateway/connectors/mqtt/payload-decode.ts';
import { mapPayload, readPath } from '../../../../gateway/connectors/mqtt/payload-mapping.ts';
import { payloadMapping } from '../../../../gateway/connectors/mqtt/mqtt-schema.ts';
import { pointsOf } from '../../../../gateway/model/device-kinds.ts';

const ARRIVAL = Date.UTC(2026, 5, 1, 12);
const door = pointsOf('access_door');
const smoke = pointsOf('smoke_detector');

describe('payload mapping', () => {
  it('takes fields by path with scale, offset, enum map, boolean words and a payload timestamp', () => {
    const mapping = payloadMapping.parse({
      points: {
        door_open: { path: 'st.contact', booleanWords: { true: ['OPEN'], false: ['SHUT'] } },
        last_event: { path: 'ev.code', map: { '1': 'granted', '2': 'denied', '7': 'forced_open' } },
        last_badge: { path: 'ev.badge' },
        locked: { path: 'st.lock' },
      },
      timestamp: { path: 'time', unit: 's' },
    });
    const { samples, problems } = mapPayload(
      { st: { contact: 'open', lock: false }, ev: { code: 7, badge: '12345' }, time: ARRIVAL / 1000 - 5 },
      'door-1',
      door,
      mapping,
      ARRIVAL,
    );
    expect(problems).toEqual([]);
    expect(Object.fromEntries(samples.map((s) => [s.point, s.value]))).toEqual({ door_open: true, locked: false, last_event: 'forced_open', last_badge: '12345' });
    expect(new Set(samples.map((s) => s.ts))).toEqual(new Set([ARRIVAL - 5_000]));
  });

  it('rejects fields of the wrong type per field, exactly as documented: no coercion', () => {
    const { samples, rejected } = mapPayload(
      { alarm: 'yes', tamper: 1, battery_pct: '15', obscuration_pct_m: 0.02, heartbeat: true },
      'sd',
      smoke,
      undefined,
      ARRIVAL,
    );
    expect(rejected.map((r) => r.point).sort()).toEqual(['alarm', 'battery_pct', 'heartbeat', 'tamper']);
    const by = Object.fromEntries(samples.map((s) => [s.point, s]));
    expect(by.obscuration_pct_m).toMatchObject({ value: 0.02, quality: 'good' });
    // "yes" is not true, "15" is not 15, 1 is not true: the point is null/bad with the reason, no stale good value
    expect(by.alarm).toMatchObject({ value: null, quality: 'bad', reason: 'payload field rejected: alarm: "yes" is not true or false' });
    expect(by.battery_pct).toMatchObject({ value: null, quality: 'bad', reason: 'payload field rejected: battery_pct: "15" is not a finite number' });
    expect(by.tamper).toMatchObject({ value: null, quality: 'bad' });
    // words and raw values count only when the mapping says so
    const mapping = payloadMapping.parse({ points: { alarm: { path: 'a', booleanWords: { true: ['yes'], false: ['no'] } }, tamper: { path: 't', map: { '1': true, '0': false } } } });
    const mapped = mapPayload({ a: 'YES', t: 1 }, 'sd', smoke, mapping, ARRIVAL);
    expect(mapped.rejected).toEqual([]);
    expect(mapped.samples.map((s) => [s.point, s.value])).toEqual([
      ['alarm', true],
      ['tamper', true],
    ]);
  });

  it('clamps a timestamp further ahead than the allowed clock skew to the arrival time, and says so', () => {
    const fast = mapPayload({ alarm: true, ts: ARRIVAL + 120_000 }, 'sd', smoke, undefined, ARRIVAL);
    expect(fast.samples[0]?.ts).toBe(ARRIVAL);
    expect(fast.clampedFuture).toBe(true);
    expect(fast.problems).toEqual([]);
    const within = mapPayload({ alarm: true, ts: ARRIVAL + 4_000 }, 'sd', smoke, undefined, ARRIVAL);
    expect(within.samples[0]?.ts).toBe(ARRIVAL + 4_000);
    expect(within.clampedFuture).toBe(false);
    const wider = mapPayload({ alarm: true, ts: ARRIVAL + 120_000 }, 'sd', smoke, undefined, ARRIVAL, 300_000);
    expect(wider.samples[0]?.ts).toBe(ARRIVAL + 120_000);
  });

  it('falls back to arrival time for an implausible timestamp and says so', () => {
    const { samples, problems } = mapPayload({ alarm: true, ts: 42 }, 'sd', smoke, undefined, ARRIVAL);
    expect(samples[0]?.ts).toBe(ARRIVAL);
    expect(problems[0]).toMatch(/timestamp: 42 is not a plausible time/);
  });

  it('never throws and never yields a non-finite number or an off-profile enum, whatever the JSON', () => {
    const mapping = payloadMapping.parse({ points: { obscuration_pct_m: { path: 'a.b', scale: 1e308 }, alarm: { path: 'x' } } });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.record({ a: fc.record({ b: fc.oneof(fc.double(), fc.string()) }), x: fc.jsonValue({ maxDepth: 1 }) })), (value) => {
        for (const m of [undefined, mapping]) {
          const { samples } = mapPayload(value, 'sd', smoke, m, ARRIVAL);
          for (const s of samples) {
            if (typeof s.value === 'number') expect(Number.isFinite(s.value)).toBe(true);
            if (s.quality === 'good') expect(['number', 'boolean', 'string']).toContain(typeof s.value);
            else expect(s).toMatchObject({ value: null, quality: 'bad', reason: expect.stringMatching(/^payload field rejected: /) });
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('decodes arbitrary bytes without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const r = decodeJsonPayload(bytes, 128);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('readPath', () => {
  it('reads own properties only, top level and dotted, never the prototype chain', () => {
    const payload = JSON.parse('{"a":1,"n":null,"o":{"b":{"c":2}},"__proto__":{"x":3}}') as unknown;
    expect(readPath(payload, 'a')).toBe(1);
    expect(readPath(payload, 'n')).toBeNull();
    expect(readPath(payload, 'o.b.c')).toBe(2);
    expect(readPath(payload, '__proto__')).toEqual({ x: 3 }); // an own key from JSON.parse, not Object.prototype
    expect(readPath({ a: 1 }, 'toString')).toBeUndefined();
    expect(readPath({ a: 1 }, 'constructor')).toBeUndefined();
    expect(readPath({ a: 1 }, 'missing')).toBeUndefined();
    expect(readPath({ a: 1 }, 'a.b')).toBeUndefined();
    expect(readPath(5, 'a')).toBeUndefined();
    expect(readPath(null, 'a')).toBeUndefined();
  });
});
