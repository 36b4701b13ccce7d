import { describe, expect, it } from 'vitest';
import { metricLines } from '../../central/telemetry-lines.ts';
import { decodePayload, encodePayload } from '../../gateway/sparkplug/sparkplug-codec.ts';
import { encodableMetric, sampleMetric } from '../../gateway/sparkplug/sparkplug-metrics.ts';

/** Metrics as the edge node encodes them and the centre decodes them (the real codec both ways). */
function roundTrip(metrics: ReturnType<typeof sampleMetric>[]) {
  return decodePayload(encodePayload({ timestamp: 1_000, seq: 1, metrics: metrics.map(encodableMetric) })).metrics ?? [];
}

describe('Sparkplug device metrics as InfluxDB lines', () => {
  const msg = (metrics: ReturnType<typeof roundTrip>) => ({ group: 'estates', site: 'site 2', device: 'pump-1', timestamp: 1_000, metrics });

  it('writes each type to its own field, tagged by group, site, device and point, at the metric timestamp', () => {
    const metrics = roundTrip([
      sampleMetric({ name: 'discharge_bar', type: 'number', unit: 'bar' }, { device: 'pump-1', point: 'discharge_bar', value: 4.5, ts: 1_763_891_234_567, quality: 'good' }, 2_000, true),
      sampleMetric({ name: 'running', type: 'boolean' }, { device: 'pump-1', point: 'running', value: true, ts: 1_763_891_234_568, quality: 'good' }, 2_000, false),
      sampleMetric({ name: 'mode', type: 'enum' }, { device: 'pump-1', point: 'mode', value: 'auto "x"', ts: 1_763_891_234_569, quality: 'uncertain', reason: 'stale' }, 2_000, false),
    ]);
    expect(metricLines(msg(metrics))).toEqual({
      lines: [
        'telemetry,device=pump-1,group=estates,point=discharge_bar,site=site\\ 2 value=4.5,quality="good" 1763891234567000000',
        'telemetry,device=pump-1,group=estates,point=running,site=site\\ 2 state=true,quality="good" 1763891234568000000',
        'telemetry,device=pump-1,group=estates,point=mode,site=site\\ 2 text="auto \\"x\\"",quality="uncertain",reason="stale" 1763891234569000000',
      ],
      skipped: 0,
    });
  });

  it('keeps the quality and reason of a point nobody read, with no value field (never a 0)', () => {
    const metrics = roundTrip([sampleMetric({ name: 'flow_m3h', type: 'number' }, undefined, 1_763_891_234_000, true)]);
    expect(metrics[0]?.value).toBeNull(); // is_null on the wire
    expect(metricLines(msg(metrics)).lines).toEqual(['telemetry,device=pump-1,group=estates,point=flow_m3h,site=site\\ 2 quality="uncertain",reason="not yet read" 1763891234000000000']);
    const bad = roundTrip([sampleMetric({ name: 'flow_m3h', type: 'number' }, { device: 'pump-1', point: 'flow_m3h', value: null, ts: 5, quality: 'bad', reason: 'comms lost' }, 9, false)]);
    expect(metricLines(msg(bad)).lines).toEqual(['telemetry,device=pump-1,group=estates,point=flow_m3h,site=site\\ 2 quality="bad",reason="comms lost" 5000000']);
  });

  it('skips a metric with neither a value nor a quality, and one without a name', () => {
    const out = metricLines(msg([{ name: 'x', isNull: true, timestamp: 5 }, { value: 3, timestamp: 5 }, { name: 'y', value: 2, timestamp: 7 }]));
    expect(out).toEqual({ lines: ['telemetry,device=pump-1,group=estates,point=y,site=site\\ 2 value=2 7000000'], skipped: 2 });
  });

  it("takes the payload's timestamp when a metric has none", () => {
    expect(metricLines(msg([{ name: 'y', value: false }])).lines).toEqual(['telemetry,device=pump-1,group=estates,point=y,site=site\\ 2 state=false 1000000000']);
  });
});
