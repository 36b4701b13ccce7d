/** The `conditions` of an OPC UA binding: schema, severity bands, devices that ask for conditions. */
import { describe, expect, it } from 'vitest';
import { conditionDevices, priorityOfSeverity, zoneOfCondition } from '../../../../gateway/connectors/opcua/opcua-conditions.ts';
import { opcuaBindingSchema, opcuaConditionsSchema } from '../../../../gateway/connectors/opcua/opcua-schema.ts';
import type { DeviceKind } from '../../../../gateway/model/device-kinds.ts';

const bound = (id: string, kind: DeviceKind, binding: Record<string, unknown>) => ({
  info: { id, name: id, kind, connector: 'opcua-fire', location: { site: 's', building: 'b1', floor: 'F1' } },
  binding: opcuaBindingSchema.parse({ connector: 'opcua-fire', nodes: {}, ...binding }),
});

describe('OPC UA conditions binding', () => {
  it('defaults: the Server object as notifier, bands 801 / 501 / 201', () => {
    expect(opcuaConditionsSchema.parse({})).toMatchObject({ notifier: 'i=2253', priorities: { 1: 801, 2: 501, 3: 201 }, queueSize: 1000 });
  });

  it('refuses bands that do not fall from priority 1 to 3, naming the path', () => {
    const r = opcuaBindingSchema.safeParse({ connector: 'c', nodes: {}, conditions: { priorities: { 1: 500, 2: 600, 3: 100 } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['conditions', 'priorities'] });
    expect(r.error?.issues[0]?.message).toContain('must fall from priority 1 to 3');
  });

  it('finds the zone in a ConditionName by the template', () => {
    expect(zoneOfCondition('Zone{zone}Fire', 'Zone12Fire')).toBe(12);
    expect(zoneOfCondition('Zone{zone}Fire', 'ZoneFire')).toBeUndefined();
    expect(zoneOfCondition('Zone{zone}Fire', 'Zone0Fire')).toBeUndefined();
    expect(zoneOfCondition('Zone{zone}Fire', 'Loop2Fault')).toBeUndefined();
    expect(zoneOfCondition(undefined, 'Zone1Fire')).toBeUndefined();
    expect(opcuaConditionsSchema.safeParse({ zone: 'ZoneFire' }).error?.issues[0]?.message).toContain('{zone}');
  });

  it('maps severity to priority by the bands', () => {
    const bands = { 1: 801, 2: 501, 3: 201 } as const;
    expect([1000, 801, 800, 501, 500, 201, 200, 1].map((s) => priorityOfSeverity(s, bands))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('substitutes {device}; life safety defaults to the kind and can be set', () => {
    const devices = conditionDevices([
      bound('fp1', 'fire_panel', { conditions: { notifier: 'ns=1;s={device}', source: 'ns=1;s={device}.Loop1' } }),
      bound('pump1', 'pump', { conditions: {} }),
      bound('fp2', 'fire_panel', { conditions: { lifeSafety: false } }),
      bound('fp3', 'fire_panel', {}),
    ]);
    expect(devices.map((d) => [d.id, d.notifier, d.source, d.lifeSafety])).toEqual([
      ['fp1', 'ns=1;s=fp1', 'ns=1;s=fp1.Loop1', true],
      ['pump1', 'i=2253', undefined, false],
      ['fp2', 'i=2253', undefined, false],
    ]);
  });
});
