/** One device's BACnet binding against its kind (and vendor) points; pure, shared by the connector and check-config. */
import { pointsOfDevice, type DevicePointsSpec, type PointDef } from '../../model/device-kinds.ts';
import type { BindingProblem } from '../protocol-definition.ts';
import { unknownCommands } from '../../model/kinds/kind-commands.ts';
import { bacnetBindingSchema, type BacnetBinding, type BacnetObject } from './bacnet-schema.ts';

export interface BoundObject {
  readonly name: string;
  readonly def: PointDef;
  readonly object: BacnetObject;
}

export type BacnetBindingCheck = { readonly ok: true; readonly binding: BacnetBinding; readonly points: BoundObject[] } | { readonly ok: false; readonly problems: BindingProblem[] };

export function checkBacnetBinding(device: DevicePointsSpec, raw: unknown): BacnetBindingCheck {
  const parsed = bacnetBindingSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: ['binding', ...i.path].join('.'), message: i.message, onConnector: false })) };
  const defs = new Map(pointsOfDevice(device).map((d) => [d.name, d]));
  const problems: BindingProblem[] = [];
  const points: BoundObject[] = [];
  for (const [name, object] of Object.entries(parsed.data.objects)) {
    const def = defs.get(name);
    if (!def) problems.push({ path: `binding.objects.${name}`, message: `a ${device.kind} has no point "${name}" (a ${device.kind} has: ${[...defs.keys()].join(', ')})`, onConnector: false });
    else if (def.type === 'enum' && object.map === undefined) problems.push({ path: `binding.objects.${name}.map`, message: `point is an enum (${def.values?.join(', ')}): give a map from raw values`, onConnector: false });
    else points.push({ name, def, object });
  }
  for (const c of unknownCommands(device.kind, Object.keys(parsed.data.commands ?? {}))) problems.push({ path: `binding.commands.${c.name}`, message: c.message, onConnector: false });
  if (problems.length > 0) return { ok: false, problems };
  if (points.length === 0) return { ok: false, problems: [{ path: 'binding.objects', message: 'binds no point', onConnector: false }] };
  return { ok: true, binding: parsed.data, points };
}
