/**
 * One device's Modbus binding against its connector: the binding's own schema, the named register
 * map, and every map entry against the device kind's points. Pure; used by the connector (which
 * refuses what fails) and by `check-config` (through the protocol definition), so both say the same.
 */
import { pointsOfDevice, type DeviceKind, type PointDef, type DevicePointsSpec } from '../../model/device-kinds.ts';
import { unknownCommands } from '../../model/kinds/kind-commands.ts';
import type { BindingProblem } from '../protocol-definition.ts';
import type { BoundPoint } from './device-poller.ts';
import { modbusBindingSchema, type ModbusBinding, type ModbusConnectorConfig } from './modbus-schema.ts';
import { checkPointAgainstDef } from './register-decode.ts';

export type ModbusBindingCheck =
  | { readonly ok: true; readonly binding: ModbusBinding; readonly points: BoundPoint[] }
  | { readonly ok: false; readonly problems: BindingProblem[] };

export function checkModbusBinding(
  config: Pick<ModbusConnectorConfig, 'id' | 'maps'>,
  device: DevicePointsSpec,
  rawBinding: unknown,
): ModbusBindingCheck {
  const parsed = modbusBindingSchema.safeParse(rawBinding);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ path: ['binding', ...i.path].join('.'), message: i.message, onConnector: false })) };
  }
  const binding = parsed.data;
  const map = config.maps[binding.map];
  if (!map) {
    const known = Object.keys(config.maps);
    const message = `connector "${config.id}" has no register map "${binding.map}" (declared: ${known.length > 0 ? known.join(', ') : 'none'})`;
    return { ok: false, problems: [{ path: 'binding.map', message, onConnector: false }] };
  }
  const defs = new Map<string, PointDef>(pointsOfDevice(device).map((d) => [d.name, d]));
  const problems: BindingProblem[] = [];
  const points: BoundPoint[] = [];
  for (const c of unknownCommands(device.kind, Object.keys(binding.commands ?? {}))) problems.push({ path: `binding.commands.${c.name}`, message: c.message, onConnector: false });
  // points the kind lacks: one problem on the device (the map fits another kind, or has a typo)
  const unknown = Object.keys(map).filter((name) => !defs.has(name));
  if (unknown.length > 0) {
    problems.push({
      path: 'binding.map',
      message: `map "${binding.map}" has points a ${device.kind} does not have: ${unknown.join(', ')} (a ${device.kind} has: ${[...defs.keys()].join(', ')})`,
      onConnector: false,
    });
  }
  for (const [name, modbus] of Object.entries(map)) {
    const path = `maps.${binding.map}.${name}`;
    const def = defs.get(name);
    if (!def) continue;
    const problem = checkPointAgainstDef(modbus, def);
    if (problem) problems.push({ path, message: problem, onConnector: true });
    else points.push({ name, def, modbus });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (points.length === 0) return { ok: false, problems: [{ path: `maps.${binding.map}`, message: 'has no points', onConnector: true }] };
  return { ok: true, binding, points };
}
