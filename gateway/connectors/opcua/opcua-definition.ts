/** The OPC UA protocol as the connector registry sees it. */
import type { ProtocolDefinition } from '../protocol-definition.ts';
import { expandBindings } from './opcua-bindings.ts';
import { OpcuaConnector } from './opcua-connector.ts';
import { opcuaBindingSchema, opcuaConnectorSchema, type OpcuaConnectorConfig } from './opcua-schema.ts';

export const opcuaProtocol: ProtocolDefinition<OpcuaConnectorConfig> = {
  type: 'opcua',
  configSchema: opcuaConnectorSchema,
  bindingSchema: opcuaBindingSchema,
  validate: (connector, devices) =>
    devices.flatMap((d) => {
      try {
        const info = { id: d.id, name: d.id, kind: d.kind, connector: connector.id, location: { site: '', building: '', floor: '' }, ...(d.zones === undefined ? {} : { zones: d.zones }) };
        expandBindings([{ info, binding: d.binding }]);
        return [];
      } catch (err) {
        return [{ path: `devices[${d.index}].binding.nodes`, message: (err as Error).message }];
      }
    }),
  create: (config, ctx) => new OpcuaConnector(config, ctx),
};
