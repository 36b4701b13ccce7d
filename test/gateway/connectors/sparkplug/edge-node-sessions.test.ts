/** The Sparkplug host's view of edge node sessions: births, aliases, seq gaps and deaths by bdSeq (pure). */
import { describe, expect, it } from 'vitest';
import { EdgeNodeSessions } from '../../../../gateway/connectors/sparkplug/edge-node-sessions.ts';
import { checkSparkplugBinding } from '../../../../gateway/connectors/sparkplug/sparkplug-host-binding-check.ts';
import { metricSample } from '../../../../gateway/connectors/sparkplug/sparkplug-metric-value.ts';
import { pointsOf } from '../../../../gateway/model/kinds/index.ts';
import { validateBindings } from '../../../../gateway/connectors/connector-registry.ts';
import { connectorConfigSchema } from '../../../../gateway/connectors/connector-schemas.ts';

const nbirth = (bdSeq: number) => ({ seq: 0, metrics: [{ name: 'bdSeq', value: bdSeq }, { name: 'Node Control/Rebirth', alias: 1, value: false }] });
const dbirth = (seq: number) => ({ seq, metrics: [{ name: 'Flow', alias: 20, value: 3.5 }, { name: 'Run', alias: 21, value: true }] });

describe('EdgeNodeSessions', () => {
  it('names data metrics by the aliases of their birth and asks for a rebirth on a seq gap', () => {
    const s = new EdgeNodeSessions();
    expect(s.accept('NBIRTH', 'n', undefined, nbirth(3)).metrics?.birth).toBe(true);
    expect(s.accept('DBIRTH', 'n', 'd', dbirth(1)).metrics?.list.map((m) => m.name)).toEqual(['Flow', 'Run']);
    const data = s.accept('DDATA', 'n', 'd', { seq: 2, metrics: [{ alias: 20, value: 4 }] });
    expect(data).toEqual({ metrics: { device: 'd', birth: false, list: [{ alias: 20, value: 4, name: 'Flow' }], ts: undefined } });
    const gap = s.accept('DDATA', 'n', 'd', { seq: 5, metrics: [{ alias: 21, value: false }] });
    expect(gap.rebirth).toBe('seq gap: expected 3, got 5');
    expect(gap.metrics?.list[0]?.name).toBe('Run');
    // 255 is followed by 0
    const wrap = new EdgeNodeSessions();
    wrap.accept('NBIRTH', 'n', undefined, { seq: 254, metrics: [] });
    expect(wrap.accept('NDATA', 'n', undefined, { seq: 255, metrics: [] }).rebirth).toBeUndefined();
    expect(wrap.accept('NDATA', 'n', undefined, { seq: 0, metrics: [] }).rebirth).toBeUndefined();
  });

  it('asks for a rebirth for data before a birth and for an alias the birth did not declare, and drops that data', () => {
    const s = new EdgeNodeSessions();
    expect(s.accept('DDATA', 'n', 'd', { seq: 4, metrics: [{ alias: 20, value: 1 }] })).toMatchObject({ rebirth: expect.stringContaining('before its NBIRTH') });
    s.accept('NBIRTH', 'n', undefined, nbirth(0));
    expect(s.accept('DDATA', 'n', 'd', { seq: 1, metrics: [{ alias: 20, value: 1 }] })).toMatchObject({ rebirth: expect.stringContaining('before its DBIRTH') });
    s.accept('DBIRTH', 'n', 'd', dbirth(2));
    const unknown = s.accept('DDATA', 'n', 'd', { seq: 3, metrics: [{ alias: 99, value: 1 }] });
    expect(unknown.metrics).toBeUndefined();
    expect(unknown.rebirth).toContain('alias 99');
  });

  it('takes the NDEATH of the current session (by bdSeq) and ignores one of an earlier session', () => {
    const s = new EdgeNodeSessions();
    s.accept('NBIRTH', 'n', undefined, nbirth(5));
    expect(s.accept('NDEATH', 'n', undefined, { metrics: [{ name: 'bdSeq', value: 4 }] })).toMatchObject({ ignored: expect.stringContaining('earlier session') });
    expect(s.isBorn('n')).toBe(true);
    expect(s.accept('NDEATH', 'n', undefined, { metrics: [{ name: 'bdSeq', value: 5 }] }).death?.why).toContain('NDEATH');
    expect(s.isBorn('n')).toBe(false);
    s.accept('NBIRTH', 'n', undefined, nbirth(6));
    s.accept('DBIRTH', 'n', 'd', dbirth(1));
    expect(s.accept('DDEATH', 'n', 'd', { seq: 2 }).death).toMatchObject({ device: 'd' });
    expect(s.accept('DDATA', 'n', 'd', { seq: 3, metrics: [{ alias: 20, value: 1 }] }).rebirth).toContain('before its DBIRTH');
  });
});

describe('Sparkplug metric values and bindings', () => {
  const def = (name: string) => pointsOf('pump').find((p) => p.name === name)!;
  const ctx = (point: string, binding: { name: string; scale: number; offset: number }) => ({ device: 'p', point, def: def(point), binding, payloadTs: 1_000, arrival: 2_000, maxClockSkew: 5_000 });

  it('scales numbers, reads 64-bit values, keeps a stale value uncertain and never turns a bad or null metric into a value', () => {
    expect(metricSample({ name: 'x', value: 420, timestamp: 1_500 }, ctx('discharge_bar', { name: 'x', scale: 0.01, offset: 0 })).sample).toEqual({ device: 'p', point: 'discharge_bar', ts: 1_500, value: 4.2, quality: 'good' });
    expect(metricSample({ name: 'x', value: { toNumber: () => 77 } }, ctx('run_hours', { name: 'x', scale: 1, offset: 0 })).sample).toMatchObject({ value: 77, ts: 1_000 });
    expect(metricSample({ name: 'x', value: 3, properties: { Quality: { value: 500 } } }, ctx('flow_m3h', { name: 'x', scale: 1, offset: 0 })).sample).toMatchObject({ value: 3, quality: 'uncertain' });
    expect(metricSample({ name: 'x', value: 3, properties: { Quality: { value: 0 } } }, ctx('flow_m3h', { name: 'x', scale: 1, offset: 0 })).sample).toMatchObject({ value: null, quality: 'bad' });
    expect(metricSample({ name: 'x', value: null, isNull: true }, ctx('flow_m3h', { name: 'x', scale: 1, offset: 0 })).sample).toMatchObject({ value: null, quality: 'bad', reason: 'x is null at the edge node' });
    expect(metricSample({ name: 'x', value: 'on' }, ctx('running', { name: 'x', scale: 1, offset: 0 })).sample).toMatchObject({ value: null, quality: 'bad', reason: 'x: on is not a boolean' });
    const future = metricSample({ name: 'x', value: 1, timestamp: 60_000 }, ctx('flow_m3h', { name: 'x', scale: 1, offset: 0 }));
    expect(future).toMatchObject({ clampedFuture: true, sample: { ts: 2_000 } });
  });

  it('refuses a binding naming a point the kind does not have, with its path', () => {
    const checked = checkSparkplugBinding({ kind: 'pump' }, { connector: 'sp', edgeNode: 'n', metrics: { flow_m3h: 'F', warp_drive: 'W' } });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problems[0]).toMatchObject({ path: 'binding.metrics.warp_drive', message: expect.stringContaining('no point "warp_drive"') });
    expect(checkSparkplugBinding({ kind: 'pump' }, { connector: 'sp', edgeNode: 'a/b', metrics: { flow_m3h: 'F' } }).ok).toBe(false);
  });

  it('check-config lists a bad Sparkplug binding with its path in the site file', () => {
    const connectors = [connectorConfigSchema.parse({ id: 'sp', type: 'sparkplug', groupId: 'plant' })];
    const devices = [
      { id: 'p1', kind: 'pump', binding: { connector: 'sp', edgeNode: 'plc', device: 'pump-1', metrics: { flow_m3h: 'Flow' } } },
      { id: 'p2', kind: 'pump', binding: { connector: 'sp', edgeNode: 'plc', metrics: { warp_drive: 'W' } } },
      { id: 'p3', kind: 'pump', binding: { connector: 'sp', metrics: { flow_m3h: 'Flow' } } },
    ];
    const issues = validateBindings({ connectors, devices });
    expect(issues.map((i) => i.path)).toEqual(['devices[1].binding.metrics.warp_drive', 'devices[2].binding.edgeNode']);
  });
});
