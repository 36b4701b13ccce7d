/** The OPC UA protocol as the connector registry sees it. */
import type { ProtocolDefinition } from '../protocol-definition.ts';
import { nodeKeyIssues } from './opcua-binding-check.ts';
import { expandBindings } from './opcua-bindings.ts';
import { opcuaBindingSchema, opcuaConnectorSchema, type OpcuaConnectorConfig } from './opcua-schema.ts';

export const opcuaProtocol: ProtocolDefinition<OpcuaConnectorConfig> = {
  type: 'opcua',
  configSchema: opcuaConnectorSchema,
  bindingSchema: opcuaBindingSchema,
  validate: (connector, devices) =>
    devices.flatMap((d) => {
      const located = nodeKeyIssues(d);
      if (located.length > 0) return located;
      try {
        const info = { id: d.id, name: d.id, kind: d.kind, connector: connector.id, location: { site: '', building: '', floor: '' }, ...(d.zones === undefined ? {} : { zones: d.zones }) };
        expandBindings([{ info, binding: d.binding }]);
        return [];
      } catch (err) {
        return [{ path: `devices[${d.index}].binding.nodes`, message: (err as Error).message }];
      }
    }),
  // loaded on first use, so check-config does not load the protocol stack
  create: async (config, ctx) => new (await import('./opcua-connector.ts')).OpcuaConnector(config, ctx),
};
