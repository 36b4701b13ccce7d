/**
 * One device's MQTT binding against its connector: the binding's schema, the named payload
 * mapping, a topic or a route to reach the device, and the mapping's points against the device
 * kind. Pure; used by the connector (which refuses what fails) and by `check-config`.
 */
import { pointsOfDevice, type DeviceKind, type DevicePointsSpec } from '../../model/device-kinds.ts';
import type { BindingProblem } from '../protocol-definition.ts';
import { mqttBindingSchema, type MqttBinding, type MqttConnectorConfig } from './mqtt-schema.ts';

export type MqttBindingCheck = { readonly ok: true; readonly binding: MqttBinding } | { readonly ok: false; readonly problems: BindingProblem[] };

export function checkMqttBinding(
  config: Pick<MqttConnectorConfig, 'id' | 'mappings' | 'routes'>,
  device: DevicePointsSpec,
  rawBinding: unknown,
): MqttBindingCheck {
  const parsed = mqttBindingSchema.safeParse(rawBinding);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ path: ['binding', ...i.path].join('.'), message: i.message, onConnector: false })) };
  }
  const binding = parsed.data;
  const known = Object.keys(config.mappings);
  const problems: BindingProblem[] = [];
  if (binding.mapping !== undefined) {
    const mapping = config.mappings[binding.mapping];
    if (!mapping) {
      problems.push({ path: 'binding.mapping', message: `"${binding.mapping}" is not among the mappings of connector ${config.id} (${known.join(', ') || 'none defined'})`, onConnector: false });
    } else {
      const names = new Set(pointsOfDevice(device).map((p) => p.name));
      for (const point of Object.keys(mapping.points)) {
        if (!names.has(point)) {
          problems.push({ path: `mappings.${binding.mapping}.points.${point}`, message: `not a point of kind ${device.kind} (points: ${[...names].join(', ')})`, onConnector: true });
        }
      }
    }
  }
  if (binding.topic === undefined && !config.routes.some((r) => r.mapping === undefined || config.mappings[r.mapping] !== undefined)) {
    problems.push({ path: 'binding.topic', message: `binding has no topic and connector ${config.id} has no routes with a {device} segment`, onConnector: false });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, binding };
}
