/** Sparkplug B southbound (a host reading vendor edge nodes) as the connector registry sees it. */
import type { ProtocolDefinition } from '../protocol-definition.ts';
import { checkSparkplugBinding } from './sparkplug-host-binding-check.ts';
import { sparkplugHostBindingSchema, sparkplugHostConnectorSchema, type SparkplugHostConnectorConfig } from './sparkplug-host-schema.ts';

export const sparkplugProtocol: ProtocolDefinition<SparkplugHostConnectorConfig> = {
  type: 'sparkplug',
  configSchema: sparkplugHostConnectorSchema,
  bindingSchema: sparkplugHostBindingSchema,
  validate: (_connector, devices) =>
    devices.flatMap((d) => {
      const checked = checkSparkplugBinding(d, d.binding);
      return checked.ok ? [] : checked.problems.map((p) => ({ path: `devices[${d.index}].${p.path}`, message: p.message }));
    }),
  create: async (config, ctx) => new (await import('./sparkplug-host-connector.ts')).SparkplugHostConnector(config, ctx),
};
