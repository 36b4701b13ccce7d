/**
 * From device bindings to the flat list of monitored points of one connection: `{zone}` keys
 * expanded per fire zone, `{device}` substituted, every point checked against the device kind's
 * canonical points. Pure; throws one Error naming device and point for a bad binding.
 */
import { pointsOfDevice, type DeviceKind, type PointDef } from '../../model/device-kinds.ts';
import type { BoundDevice } from '../connector.ts';
import { unknownCommands } from '../../model/kinds/kind-commands.ts';
import { opcuaBindingSchema, type Deadband, type OpcuaNodeSpec } from './opcua-schema.ts';

export interface MonitoredPoint {
  readonly device: string;
  readonly kind: DeviceKind;
  readonly point: PointDef;
  /** The node monitored; for a point bound by browse path, set when the path is resolved on each connect. */
  nodeId: string;
  /** The point's browse path from the Root folder (`/Objects/1:Panel/1:BatteryV`), when bound by path. */
  readonly browsePath?: string;
  readonly samplingInterval: number;
  readonly queueSize: number;
  readonly deadband: Deadband | undefined;
  readonly map: Readonly<Record<string, string | number | boolean>> | undefined;
  readonly scale: number | undefined;
  readonly offset: number | undefined;
}

export function expandBindings(devices: readonly BoundDevice[]): MonitoredPoint[] {
  const out: MonitoredPoint[] = [];
  for (const bound of devices) {
    const info = bound.info;
    const parsed = opcuaBindingSchema.safeParse(bound.binding);
    if (!parsed.success) {
      throw new Error(`device ${info.id}: invalid opcua binding: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const binding = parsed.data;
    const unknown = unknownCommands(info.kind, Object.keys(binding.commands ?? {}));
    if (unknown.length > 0) throw new Error(`device ${info.id}: ${unknown.map((u) => `commands.${u.name}: ${u.message}`).join('; ')}`);
    const defs = new Map(pointsOfDevice(info).map((p) => [p.name, p]));
    const seen = new Set<string>();
    for (const [key, entry] of Object.entries(binding.nodes)) {
      const spec: OpcuaNodeSpec = typeof entry === 'string' ? { nodeId: entry } : entry;
      const zones = key.includes('{zone}') ? zoneNumbers(info.id, key, info.zones) : [undefined];
      for (const zone of zones) {
        const name = zone === undefined ? key : key.replaceAll('{zone}', String(zone));
        const def = defs.get(name);
        if (!def) {
          throw new Error(`device ${info.id}: binding node "${name}" is not a point of kind ${info.kind} (points: ${[...defs.keys()].join(', ')})`);
        }
        if (seen.has(name)) throw new Error(`device ${info.id}: point "${name}" is bound twice`);
        seen.add(name);
        const address = spec.nodeId ?? spec.browsePath ?? '';
        let nodeId = address.replaceAll('{device}', info.id);
        if (zone !== undefined) nodeId = nodeId.replaceAll('{zone}', String(zone));
        if (nodeId.includes('{')) throw new Error(`device ${info.id}: ${spec.nodeId ? 'node id' : 'browse path'} "${nodeId}" of point ${name} has an unknown {placeholder}`);
        out.push({
          device: info.id,
          kind: info.kind,
          point: def,
          nodeId: spec.nodeId ? nodeId : `(browse path ${nodeId} not resolved yet)`,
          ...(spec.browsePath ? { browsePath: nodeId } : {}),
          samplingInterval: spec.samplingInterval ?? binding.samplingInterval,
          queueSize: spec.queueSize ?? binding.queueSize,
          deadband: def.type === 'number' ? (spec.deadband ?? binding.deadband) : spec.deadband,
          map: spec.map,
          scale: spec.scale,
          offset: spec.offset,
        });
      }
    }
  }
  return out;
}

function zoneNumbers(device: string, key: string, zones: number | undefined): number[] {
  if (zones === undefined) throw new Error(`device ${device}: binding key "${key}" uses {zone} but the device declares no zones`);
  return Array.from({ length: zones }, (_, i) => i + 1);
}
