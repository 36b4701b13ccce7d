import { describe, expect, it } from 'vitest';
import { expandBindings } from '../../../../gateway/connectors/opcua/opcua-bindings.ts';
import { convertValue, qualityOf } from '../../../../gateway/connectors/opcua/opcua-value.ts';
import { pointsOf } from '../../../../gateway/model/device-kinds.ts';
import { boundDevices } from '../../../support/opcua-fixture.ts';

const zonePoint = pointsOf('fire_panel', { zones: 1 })[0];
if (!zonePoint) throw new Error('fire panel has no zone point');
const numberPoint = { name: 'battery_v', type: 'number' as const, description: '' };
const boolPoint = { name: 'panel_fault', type: 'boolean' as const, description: '' };

describe('expandBindings', () => {
  it('expands {zone} keys per zone and substitutes {device}; explicit entries keep their options', () => {
    const points = expandBindings(
      boundDevices('o', [
        {
          id: 'fp9',
          kind: 'fire_panel',
          zones: 3,
          binding: {
            samplingInterval: '1s',
            nodes: {
              'zone_{zone}_state': 'ns=2;s={device}.Z{zone}',
              battery_v: { nodeId: 'ns=2;i=77', scale: 0.1, deadband: { type: 'percent', value: 2 }, queueSize: 5 },
            },
          },
        },
      ]),
    );
    expect(points.map((p) => [p.point.name, p.nodeId])).toEqual([
      ['zone_1_state', 'ns=2;s=fp9.Z1'],
      ['zone_2_state', 'ns=2;s=fp9.Z2'],
      ['zone_3_state', 'ns=2;s=fp9.Z3'],
      ['battery_v', 'ns=2;i=77'],
    ]);
    expect(points[0]).toMatchObject({ samplingInterval: 1000, queueSize: 10, deadband: undefined });
    expect(points[3]).toMatchObject({ scale: 0.1, queueSize: 5, deadband: { type: 'percent', value: 2 } });
  });

  it('names device and point for a binding that cannot work', () => {
    const one = (binding: Record<string, unknown>, zones?: number) =>
      () => expandBindings(boundDevices('o', [{ id: 'fp1', kind: 'fire_panel', ...(zones ? { zones } : {}), binding }]));
    expect(one({ nodes: { zone_9_state: 'ns=1;s=x' } }, 2)).toThrow(/device fp1: binding node "zone_9_state" is not a point of kind fire_panel/);
    expect(one({ nodes: { 'zone_{zone}_state': 'ns=1;s=x{zone}' } })).toThrow(/uses \{zone\} but the device declares no zones/);
    expect(one({ nodes: { panel_fault: 'ns=1;s={panel}.F' } })).toThrow(/unknown \{placeholder\}/);
    expect(one({ nodes: { panel_fault: 42 } })).toThrow(/device fp1: invalid opcua binding: nodes.panel_fault/);
  });
});

describe('OPC UA value conversion', () => {
  it('maps status code severity to quality', () => {
    expect(qualityOf(0)).toBe('good');
    expect(qualityOf(0x00a9_0000)).toBe('good'); // GoodNoData-like (severity 00)
    expect(qualityOf(0x408f_0000)).toBe('uncertain');
    expect(qualityOf(0x8002_0000)).toBe('bad');
    expect(qualityOf(0x80_34_0000 >>> 0)).toBe('bad');
  });

  it('maps Int32 zone codes to the canonical enum, with or without an explicit map', () => {
    const rule = { point: zonePoint, map: undefined, scale: undefined, offset: undefined };
    expect([0, 1, 2, 3].map((n) => convertValue(n, rule))).toEqual(['normal', 'fire', 'fault', 'disabled']);
    expect(convertValue(4, rule)).toBeUndefined();
    expect(convertValue(1.5, rule)).toBeUndefined();
    const vendor = { ...rule, map: { '10': 'normal', '20': 'fire' } };
    expect(convertValue(20, vendor)).toBe('fire');
    expect(convertValue(0, vendor)).toBeUndefined();
  });

  it('converts numbers (scale, offset, Int64 words), booleans and rejects what does not fit', () => {
    expect(convertValue(250, { point: numberPoint, map: undefined, scale: 0.1, offset: 1 })).toBeCloseTo(26);
    expect(convertValue([1, 5], { point: numberPoint, map: undefined, scale: undefined, offset: undefined })).toBe(4_294_967_301);
    expect(convertValue(Number.NaN, { point: numberPoint, map: undefined, scale: undefined, offset: undefined })).toBeUndefined();
    expect(convertValue(1e308, { point: numberPoint, map: undefined, scale: 10, offset: undefined })).toBeUndefined();
    expect(convertValue(1, { point: boolPoint, map: undefined, scale: undefined, offset: undefined })).toBe(true);
    expect(convertValue(2, { point: boolPoint, map: undefined, scale: undefined, offset: undefined })).toBeUndefined();
    expect(convertValue('x', { point: boolPoint, map: undefined, scale: undefined, offset: undefined })).toBeUndefined();
  });
});
