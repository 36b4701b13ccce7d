import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonPayload } from '../../../../gateway/connectors/mqtt/payload-decode.ts';
import { mapPayload } from '../../../../gateway/connectors/mqtt/payload-mapping.ts';
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
      { st: { contact: 'open', lock: 0 }, ev: { code: 7, badge: 12345 }, time: ARRIVAL / 1000 - 5 },
      'door-1',
      door,
      mapping,
      ARRIVAL,
    );
    expect(problems).toEqual([]);
    expect(Object.fromEntries(samples.map((s) => [s.point, s.value]))).toEqual({ door_open: true, locked: false, last_event: 'forced_open', last_badge: '12345' });
    expect(new Set(samples.map((s) => s.ts))).toEqual(new Set([ARRIVAL - 5_000]));
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
            expect(['number', 'boolean', 'string']).toContain(typeof s.value);
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
