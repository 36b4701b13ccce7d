/** The BACnet/IP protocol as the connector registry sees it. */
import type { ProtocolDefinition } from '../protocol-definition.ts';
import { checkBacnetBinding } from './bacnet-binding-check.ts';
import { bacnetBindingSchema, bacnetConnectorSchema, type BacnetConnectorConfig } from './bacnet-schema.ts';

export const bacnetProtocol: ProtocolDefinition<BacnetConnectorConfig> = {
  type: 'bacnet',
  configSchema: bacnetConnectorSchema,
  bindingSchema: bacnetBindingSchema,
  validate: (_connector, devices) =>
    devices.flatMap((d) => {
      const checked = checkBacnetBinding(d, d.binding);
      return checked.ok ? [] : checked.problems.map((p) => ({ path: `devices[${d.index}].${p.path}`, message: p.message }));
    }),
  create: async (config, ctx) => new (await import('./bacnet-connector.ts')).BacnetConnector(config, ctx),
};
