/** The MQTT protocol as the connector registry sees it. */
import type { ConfigIssue } from '../../config/config-error.ts';
import type { ProtocolDefinition } from '../protocol-definition.ts';
import { checkMqttBinding } from './mqtt-binding-check.ts';
import { mqttBindingSchema, mqttConnectorSchema, type MqttConnectorConfig } from './mqtt-schema.ts';

export const mqttProtocol: ProtocolDefinition<MqttConnectorConfig> = {
  type: 'mqtt',
  configSchema: mqttConnectorSchema,
  bindingSchema: mqttBindingSchema,
  validate: (connector, devices, at) => {
    const issues: ConfigIssue[] = [];
    connector.routes.forEach((r, i) => {
      if (r.mapping !== undefined && !connector.mappings[r.mapping]) {
        issues.push({ path: `${at}.routes[${i}].mapping`, message: `"${r.mapping}" is not among the connector's mappings (${Object.keys(connector.mappings).join(', ') || 'none defined'})` });
      }
    });
    for (const d of devices) {
      const checked = checkMqttBinding(connector, d, d.binding);
      if (checked.ok) continue;
      for (const p of checked.problems) {
        issues.push({
          path: p.onConnector ? `${at}.${p.path}` : `devices[${d.index}].${p.path}`,
          message: p.onConnector ? `${p.message} (device ${d.id}, kind ${d.kind})` : p.message,
        });
      }
    }
    return issues;
  },
  // loaded on first use, so check-config does not load the protocol stack
  create: async (config, ctx) => new (await import('./mqtt-connector.ts')).MqttConnector(config, ctx),
};
