import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countFields, encodeSamples, escapeKey, SameMillisecondTies, escapeMeasurement, formatFieldValue, nanoseconds, quoteString, seriesKey } from '../../../gateway/storage/line-protocol.ts';
import type { Sample } from '../../../gateway/model/sample.ts';

const sample = (device: string, point: string, value: Sample['value'], ts: number, quality: Sample['quality'] = 'good'): Sample => ({ device, point, value, ts, quality });

describe('escaping', () => {
  it.each([
    ['plain', 'pump', 'pump'],
    ['space', 'pump room', 'pump\\ room'],
    ['comma', 'a,b', 'a\\,b'],
    ['equals is fine in a measurement', 'a=b', 'a=b'],
    ['backslash inside', 'a\\b', 'a\\b'],
    ['trailing backslash cannot be represented', 'a\\', 'a/'],
    ['backslash before a space', 'a\\ b', 'a/\\ b'],
    ['newline', 'a\nb', 'a\\ b'],
    ['Chinese', '一号楼', '一号楼'],
  ])('measurement: %s', (_, input, expected) => {
    expect(escapeMeasurement(input)).toBe(expected);
  });

  it.each([
    ['space', '一号楼 Building 1', '一号楼\\ Building\\ 1'],
    ['comma and equals', 'a,b=c', 'a\\,b\\=c'],
    ['quotes need no escape in tags', 'say "hi"', 'say\\ "hi"'],
    ['backslash before equals', 'x\\=y', 'x/\\=y'],
    ['two trailing backslashes', 'x\\\\', 'x\\/'],
    ['carriage return', 'a\r\nb', 'a\\ \\ b'],
  ])('tag key/value and field key: %s', (_, input, expected) => {
    expect(escapeKey(input)).toBe(expected);
  });

  it('string field values escape quotes and backslashes and keep everything else', () => {
    expect(quoteString('he said "hi" \\ 楼\n')).toBe('"he said \\"hi\\" \\\\ 楼\n"');
    expect(quoteString('')).toBe('""');
  });

  it('field values: numbers as floats, booleans, quoted strings, nothing for NaN/Infinity', () => {
    expect(formatFieldValue(3)).toBe('3');
    expect(formatFieldValue(-0.25)).toBe('-0.25');
    expect(formatFieldValue(1e21)).toBe('1e+21');
    expect(formatFieldValue(true)).toBe('true');
    expect(formatFieldValue(false)).toBe('false');
    expect(formatFieldValue('up')).toBe('"up"');
    expect(formatFieldValue(Number.NaN)).toBeUndefined();
    expect(formatFieldValue(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('escaped keys never contain an unescaped separator (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = escapeKey(text);
        // Walk the output as the InfluxDB parser does: a backslash escapes the next byte.
        for (let i = 0; i < out.length; i++) {
          const c = out[i];
          if (c === '\\' && (out[i + 1] === ',' || out[i + 1] === ' ' || out[i + 1] === '=')) {
            i++;
            continue;
          }
          if (c === ',' || c === ' ' || c === '=' || c === '\n' || c === '\r') return false;
        }
        return !out.endsWith('\\');
      }),
      { numRuns: 500 },
    );
  });

  it('escaping round-trips for text without backslashes or line breaks (property)', () => {
    const unescape = (s: string): string => s.replace(/\\([, =])/g, '$1');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }).filter((s) => !/[\\\r\n]/.test(s)), (text) => unescape(escapeKey(text)) === text),
      { numRuns: 500 },
    );
  });
});

describe('seriesKey', () => {
  it('sorts tags by key, escapes them and leaves out empty values', () => {
    expect(seriesKey({ measurement: 'access_door', tags: { site: 'demo', device: 'door 1', building: 'b1', building_name: '一号楼 Building 1', floor: '' } })).toBe(
      'access_door,building=b1,building_name=一号楼\\ Building\\ 1,device=door\\ 1,site=demo',
    );
  });
});

describe('encodeSamples', () => {
  const series = new Map([
    ['pump-1', 'pump,device=pump-1,site=s'],
    ['door-1', 'access_door,device=door-1,site=s'],
    ['panel-1', 'fire_panel,device=panel-1,site=s'],
  ]);
  const seriesOf = (d: string): string | undefined => series.get(d);

  it('one line per device and millisecond, fields in arrival order, nanosecond timestamps', () => {
    const out = encodeSamples(
      [
        sample('pump-1', 'running', true, 1000),
        sample('pump-1', 'discharge_bar', 4, 1000),
        sample('door-1', 'last_event', 'granted', 1000),
        sample('pump-1', 'discharge_bar', 4.5, 2000.4),
        sample('door-1', 'last_badge', 'B "7"', 1000),
      ],
      seriesOf,
    );
    expect(out.lines).toEqual([
      'pump,device=pump-1,site=s running=true,discharge_bar=4 1000000000',
      'access_door,device=door-1,site=s last_event="granted",last_badge="B \\"7\\"" 1000000000',
      'pump,device=pump-1,site=s discharge_bar=4.5 2000000000',
    ]);
    expect(out).toMatchObject({ points: 5, skipped: 0 });
  });

  it('leaves out unknown devices, bad quality and values line protocol cannot carry, and counts them', () => {
    const out = encodeSamples(
      [
        sample('ghost', 'x', 1, 1),
        sample('pump-1', 'flow_m3h', 1, 1, 'bad'),
        sample('pump-1', 'flow_m3h', Number.NaN, 1),
        sample('pump-1', 'flow_m3h', 2, 1, 'uncertain'),
      ],
      seriesOf,
    );
    expect(out.lines).toEqual(['pump,device=pump-1,site=s flow_m3h=2 1000000']);
    expect(out).toMatchObject({ points: 1, skipped: 3 });
  });

  it('leaves out samples without a value (not yet read, comms lost) instead of writing 0 or false', () => {
    const out = encodeSamples(
      [
        { device: 'pump-1', point: 'flow_m3h', value: null, ts: 1, quality: 'uncertain', reason: 'not yet read' },
        { device: 'pump-1', point: 'running', value: null, ts: 1, quality: 'bad', reason: 'comms lost' },
        { device: 'pump-1', point: 'suction_bar', value: null, ts: 1, quality: 'uncertain', reason: 'not yet read' },
        sample('pump-1', 'discharge_bar', 4.5, 1),
      ],
      seriesOf,
    );
    expect(out.lines).toEqual(['pump,device=pump-1,site=s discharge_bar=4.5 1000000']);
    expect(out).toMatchObject({ points: 1, skipped: 3 });
    expect(formatFieldValue(null)).toBeUndefined();
  });

  it('two readings of one point in the same millisecond are both written, one nanosecond apart', () => {
    const out = encodeSamples([sample('pump-1', 'flow_m3h', 1, 5), sample('pump-1', 'running', true, 5), sample('pump-1', 'flow_m3h', 2, 5), sample('pump-1', 'flow_m3h', 3, 5)], seriesOf);
    expect(out.lines).toEqual(['pump,device=pump-1,site=s flow_m3h=1,running=true 5000000', 'pump,device=pump-1,site=s flow_m3h=2 5000001', 'pump,device=pump-1,site=s flow_m3h=3 5000002']);
    expect(out).toMatchObject({ points: 4, skipped: 0 });
  });

  it('a millisecond split across two batches keeps counting: the second batch does not overwrite the first', () => {
    const ties = new SameMillisecondTies();
    const first = encodeSamples([sample('pump-1', 'flow_m3h', 1, 5), sample('pump-1', 'flow_m3h', 2, 5)], seriesOf, ties);
    const second = encodeSamples([sample('pump-1', 'flow_m3h', 3, 5), sample('pump-1', 'running', true, 5), sample('door-1', 'last_event', 'granted', 5)], seriesOf, ties);
    expect(first.lines).toEqual(['pump,device=pump-1,site=s flow_m3h=1 5000000', 'pump,device=pump-1,site=s flow_m3h=2 5000001']);
    // flow_m3h's third reading at 5 ms is 2 ns in; running's first is at 0 ns (InfluxDB merges fields of one timestamp)
    expect(second.lines).toEqual(['pump,device=pump-1,site=s flow_m3h=3 5000002', 'pump,device=pump-1,site=s running=true 5000000', 'access_door,device=door-1,site=s last_event="granted" 5000000']);
    // a newer millisecond starts again at 0
    expect(encodeSamples([sample('pump-1', 'flow_m3h', 4, 6)], seriesOf, ties).lines).toEqual(['pump,device=pump-1,site=s flow_m3h=4 6000000']);
  });

  it('a newer life-safety reading handed over first (the bus’s priority lane) does not restart the count of another point in an older millisecond', () => {
    const ties = new SameMillisecondTies();
    // battery_v read twice at 5 ms: the first reading in one batch, the second queued in the
    // telemetry lane when fire_alarm at 6 ms arrives in the priority lane and is handed over first
    const first = encodeSamples([sample('panel-1', 'battery_v', 27, 5)], seriesOf, ties);
    const second = encodeSamples([sample('panel-1', 'fire_alarm', true, 6), sample('panel-1', 'battery_v', 26, 5)], seriesOf, ties);
    expect(first.lines).toEqual(['fire_panel,device=panel-1,site=s battery_v=27 5000000']);
    // before: battery_v=26 at 5000000 as well, and InfluxDB kept only one of the two readings
    expect(second.lines).toEqual(['fire_panel,device=panel-1,site=s fire_alarm=true 6000000', 'fire_panel,device=panel-1,site=s battery_v=26 5000001']);
    // the source's own timestamps out of order (older than the point's latest millisecond): from 0
    expect(encodeSamples([sample('panel-1', 'battery_v', 25, 4)], seriesOf, ties).lines).toEqual(['fire_panel,device=panel-1,site=s battery_v=25 4000000']);
  });

  it('a source clock stuck on one millisecond: from the millionth reading on the time stays ms × 10⁶ + k (not the millisecond with seven digits appended)', () => {
    const ties = new SameMillisecondTies();
    const ms = Date.UTC(1998, 0, 1); // 883,612,800,000
    for (let i = 0; i < 999_999; i++) ties.next('pump-1', 'flow_m3h', ms);
    const out = encodeSamples([sample('pump-1', 'flow_m3h', 1, ms), sample('pump-1', 'flow_m3h', 2, ms), sample('pump-1', 'flow_m3h', 3, ms)], seriesOf, ties);
    // before: 8836128000001000000 (the year 2250, or outside InfluxDB's range from 1999-03 on)
    expect(out.lines).toEqual(['pump,device=pump-1,site=s flow_m3h=1 883612800000999999', 'pump,device=pump-1,site=s flow_m3h=2 883612800001000000', 'pump,device=pump-1,site=s flow_m3h=3 883612800001000001']);
  });

  it('nanoseconds(ms, k) is ms × 10⁶ + k for every millisecond and count', () => {
    expect(nanoseconds(Date.UTC(2026, 0, 1), 1_000_000)).toBe('1767225600001000000');
    expect(nanoseconds(-1, 1_000_001)).toBe('1');
    expect(nanoseconds(0, 0)).toBe('0');
    fc.assert(
      fc.property(fc.integer({ min: -9_000_000_000_000, max: 9_000_000_000_000 }), fc.integer({ min: 0, max: 50_000_000 }), (ms, k) => {
        expect(nanoseconds(ms, k)).toBe((BigInt(ms) * 1_000_000n + BigInt(k)).toString());
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes field keys', () => {
    expect(encodeSamples([sample('pump-1', 'odd key,=x', 1, 5)], seriesOf).lines).toEqual(['pump,device=pump-1,site=s odd\\ key\\,\\=x=1 5000000']);
  });

  it('an empty batch gives no lines', () => {
    expect(encodeSamples([], seriesOf)).toEqual({ lines: [], points: 0, skipped: 0 });
  });
});

describe('countFields (the points-written counter)', () => {
  it.each([
    ['one field', 'telemetry,device=p1 value=1.5 1700000000000000000', 1],
    ['two fields, no timestamp', 'telemetry,device=p1 value=1.5,quality="good"', 2],
    ['three fields', 'telemetry,device=p1 a=1i,b=true,c=2.5 1700000000000000000', 3],
    ['a comma and a space inside a string field', 'telemetry,device=p1 note="a, b c",value=1 1700000000000000000', 2],
    ['an escaped quote inside a string field', 'telemetry,device=p1 note="say \\"hi, there\\"",value=1', 2],
    ['an escaped comma and space in a tag', 'telemetry,device=pump\\ 1,room=a\\,b value=1,other=2 1700000000000000000', 2],
    ['an escaped comma in a field key', 'telemetry,device=p1 a\\,b=1,c=2 1700000000000000000', 2],
    ['no tags', 'telemetry value=1,other=2 1700000000000000000', 2],
  ])('%s', (_, line, fields) => {
    expect(countFields(line)).toBe(fields);
  });

  it('counts what encodeSamples says it wrote', () => {
    const series = new Map([
      ['p1', 'pump,device=p1,site=s'],
      ['door 1', 'access_door,device=door\\ 1,site=s'],
    ]);
    const samples = [
      sample('p1', 'pressure_bar', 2.5, 1_700_000_000_000),
      sample('p1', 'running', true, 1_700_000_000_000),
      sample('door 1', 'last_event', 'open, ajar', 1_700_000_000_001),
      sample('door 1', 'last_badge', 'B "7"', 1_700_000_000_001),
    ];
    const { lines, points } = encodeSamples(samples, (d) => series.get(d));
    expect(points).toBe(4);
    expect(lines.reduce((n, l) => n + countFields(l), 0)).toBe(points);
  });
});
