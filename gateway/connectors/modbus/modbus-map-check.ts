/**
 * Checks of a Modbus connector's register maps as a whole, for `check-config` (through the protocol
 * definition): registers of one map that overlap, and one map bound to devices of different kinds.
 * Pure; paths from the site file's root.
 */
import type { ConfigIssue } from '../../config/config-error.ts';
import type { DeclaredDevice } from '../protocol-definition.ts';
import { registerCount, type ModbusConnectorConfig, type ModbusPoint } from './modbus-schema.ts';

function words(p: ModbusPoint): number {
  return registerCount(p.type, p.length);
}

const describe = (p: ModbusPoint): string => `${p.table} ${p.address} (${p.type}${p.bit !== undefined ? ` bit ${p.bit}` : ''})`;

/** Two points of one map reading the same register (or bit) are a copy-and-paste mistake; bits of one status word are not. */
export function overlappingRegisters(c: Pick<ModbusConnectorConfig, 'maps'>, at: string): ConfigIssue[] {
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
        issues.push({ path: `${at}.maps.${mapName}.${b}`, message: `${describe(pb)} overlaps "${a}" at ${describe(pa)}` });
      }
    }
  }
  return issues;
}

/** A map describes one kind: every device bound to a map after a device of another kind is refused. */
export function mapsSharedByKinds(c: Pick<ModbusConnectorConfig, 'maps'>, devices: readonly DeclaredDevice[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const first = new Map<string, DeclaredDevice>();
  for (const d of devices) {
    const name = d.binding.map;
    if (typeof name !== 'string' || !Object.hasOwn(c.maps, name)) continue;
    const earlier = first.get(name);
    if (!earlier) first.set(name, d);
    else if (earlier.kind !== d.kind) {
      issues.push({ path: `devices[${d.index}].binding.map`, message: `map "${name}" is bound to ${earlier.id} (${earlier.kind}) and to this ${d.kind}; a map describes one kind` });
    }
  }
  return issues;
}
