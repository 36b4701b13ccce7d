/**
 * Bindings checked against their connector and the device's kind, as the running gateway would
 * refuse them: a Modbus `map` the connector does not declare (`map: nope`), a map whose points the
 * device's kind does not have (a device bound to another kind's map), one map shared by devices of
 * different kinds, registers of one map that overlap; an MQTT `mapping` that does not exist or names
 * points the kind lacks; OPC UA `nodes` keys that are not points of the kind.
 */
import type { ConnectorConfig } from '../connectors/connector-schemas.ts';
import type { ModbusConnectorConfig, ModbusPoint } from '../connectors/modbus/modbus-schema.ts';
import { isDeviceKind, pointsOf } from '../model/kinds/index.ts';
import { zoneCount } from '../model/zone-places.ts';
import type { ConfigIssue } from './config-error.ts';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every binding problem of `devices` against `connectors`. Connectors are schema-valid ones; devices
 * may be raw entries of the file (paths keep their index; entries that are not devices are skipped),
 * so these problems are listed even when other parts of the file are wrong too.
 */
export function validateBindings(config: { readonly connectors: readonly ConnectorConfig[]; readonly devices: readonly unknown[] }): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const connectors = new Map(config.connectors.map((c) => [c.id, c]));
  const mapKinds = new Map<string, { kind: string; device: string }>();
  config.devices.forEach((d, i) => {
    if (!isObj(d) || !isObj(d.binding) || typeof d.kind !== 'string') return;
    const at = `devices[${i}].binding`;
    const connector = connectors.get(String(d.binding.connector));
    if (!connector || !isDeviceKind(d.kind)) return;
    const binding = d.binding;
    const zones = zoneCount(d.zones);
    const known = new Set(pointsOf(d.kind, zones === undefined ? {} : { zones }).map((p) => p.name));
    const unknownPoints = (names: readonly string[]): string[] => names.filter((n) => !known.has(n));
    const knownList = (): string => [...known].join(', ');
    if (connector.type === 'modbus') {
      const name = String(binding.map);
      const map = connector.maps[name];
      if (!map) {
        issues.push({ path: `${at}.map`, message: `connector "${connector.id}" has no register map "${name}" (declared: ${Object.keys(connector.maps).join(', ') || 'none'})` });
        return;
      }
      const bad = unknownPoints(Object.keys(map));
      if (bad.length > 0) {
        issues.push({ path: `${at}.map`, message: `map "${name}" has points a ${d.kind} does not have: ${bad.join(', ')} (a ${d.kind} has: ${knownList()})` });
      }
      const key = `${connector.id}\u0000${name}`;
      const first = mapKinds.get(key);
      if (first && first.kind !== d.kind) {
        issues.push({ path: `${at}.map`, message: `map "${name}" is bound to ${first.device} (${first.kind}) and to this ${d.kind}; a map describes one kind` });
      } else if (!first) mapKinds.set(key, { kind: d.kind, device: String(d.id) });
    } else if (connector.type === 'mqtt') {
      const name = binding.mapping;
      if (name === undefined) return;
      const mapping = connector.mappings[String(name)];
      if (!mapping) {
        issues.push({ path: `${at}.mapping`, message: `connector "${connector.id}" has no payload mapping "${String(name)}" (declared: ${Object.keys(connector.mappings).join(', ') || 'none'})` });
        return;
      }
      const bad = unknownPoints(Object.keys(mapping.points));
      if (bad.length > 0) issues.push({ path: `${at}.mapping`, message: `mapping "${String(name)}" has points a ${d.kind} does not have: ${bad.join(', ')}` });
    } else if (connector.type === 'opcua') {
      const nodes = isObj(binding.nodes) ? Object.keys(binding.nodes) : [];
      for (const key of nodes) {
        const names = key.includes('{zone}') ? Array.from({ length: zones ?? 0 }, (_, n) => key.replaceAll('{zone}', String(n + 1))) : [key];
        if (key.includes('{zone}') && names.length === 0) {
          issues.push({ path: `${at}.nodes.${key}`, message: `uses {zone} but the device declares no zones` });
          continue;
        }
        const bad = unknownPoints(names);
        if (bad.length > 0) issues.push({ path: `${at}.nodes.${key}`, message: `a ${d.kind} has no point "${bad[0]}" (a ${d.kind} has: ${knownList()})` });
      }
    }
  });
  config.connectors.forEach((c, i) => {
    if (c.type === 'modbus') issues.push(...overlappingRegisters(c, `connectors[${i}]`));
  });
  return issues;
}

function words(p: ModbusPoint): number {
  return p.type === 'float64' ? 4 : p.type === 'int32' || p.type === 'uint32' || p.type === 'float32' ? 2 : 1;
}

/** Two points of one map reading the same register (or bit) are a copy-and-paste mistake; bits of one status word are not. */
function overlappingRegisters(c: ModbusConnectorConfig, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [mapName, map] of Object.entries(c.maps)) {
    const entries = Object.entries(map);
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const [a, pa] = entries[i] as [string, ModbusPoint];
        const [b, pb] = entries[j] as [string, ModbusPoint];
        if (pa.table !== pb.table) continue;
        const overlap = pa.address < pb.address + words(pb) && pb.address < pa.address + words(pa);
        if (!overlap) continue;
        const distinctBits = pa.bit !== undefined && pb.bit !== undefined && pa.bit !== pb.bit && pa.address === pb.address;
        if (distinctBits) continue;
        issues.push({
          path: `${at}.maps.${mapName}.${b}`,
          message: `${pb.table} ${pb.address} (${pb.type}${pb.bit !== undefined ? ` bit ${pb.bit}` : ''}) overlaps "${a}" at ${pa.table} ${pa.address} (${pa.type}${pa.bit !== undefined ? ` bit ${pa.bit}` : ''})`,
        });
      }
    }
  }
  return issues;
}
