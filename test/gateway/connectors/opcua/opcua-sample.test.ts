import { describe, expect, it } from 'vitest';
import { expandBindings } from '../../../../gateway/connectors/opcua/opcua-bindings.ts';
import { sampleOf } from '../../../../gateway/connectors/opcua/opcua-sample.ts';
import { boundDevices } from '../../../support/opcua-fixture.ts';

const [zone] = expandBindings(boundDevices('o', [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: { nodes: { zone_1_state: 'ns=1;s=z1' } } }]));
const NOW = Date.UTC(2026, 10, 29, 12);
const GOOD = { value: 0, name: 'Good' };
const dv = (value: unknown, statusCode = GOOD, sourceTimestamp: Date | null = new Date(NOW - 1_000)) => ({ statusCode, value: { value }, sourceTimestamp, serverTimestamp: null });

describe('one OPC UA notification → one sample, nothing invented', () => {
  it('a good value that fits', () => {
    expect(sampleOf(zone!, dv(1), NOW, 5_000)).toEqual({ sample: { device: 'fp1', point: 'zone_1_state', value: 'fire', ts: NOW - 1_000, quality: 'good' }, misfit: false, future: false });
  });

  it('a misfit is null / bad with the reason, never the old value', () => {
    const r = sampleOf(zone!, dv('banana'), NOW, 5_000);
    expect(r.misfit).toBe(true);
    expect(r.sample).toMatchObject({ value: null, quality: 'bad', reason: 'value banana does not fit enum point zone_1_state' });
  });

  it('a Bad status gives no value; Uncertain keeps it with the status as reason', () => {
    expect(sampleOf(zone!, dv(0, { value: 0x8002_0000, name: 'BadInternalError' }), NOW, 5_000).sample).toMatchObject({ value: null, quality: 'bad', reason: 'BadInternalError' });
    expect(sampleOf(zone!, dv(1, { value: 0x408f_0000, name: 'UncertainLastUsableValue' }), NOW, 5_000).sample).toMatchObject({ value: 'fire', quality: 'uncertain', reason: 'UncertainLastUsableValue' });
    expect(sampleOf(zone!, dv(null, { value: 0x408f_0000, name: 'UncertainNoCommunicationLastUsableValue' }), NOW, 5_000).sample).toMatchObject({ value: null, quality: 'bad' });
  });

  it('a source time ahead by more than the skew is replaced by now', () => {
    const r = sampleOf(zone!, dv(1, GOOD, new Date(NOW + 120_000)), NOW, 5_000);
    expect(r.future).toBe(true);
    expect(r.sample.ts).toBe(NOW);
    expect(sampleOf(zone!, dv(1, GOOD, new Date(NOW + 4_000)), NOW, 5_000).sample.ts).toBe(NOW + 4_000);
  });
});
