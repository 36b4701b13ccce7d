/** The Modbus protocol as the connector registry sees it. */
import type { ProtocolDefinition } from '../protocol-definition.ts';
import { checkModbusBinding } from './modbus-binding-check.ts';
import { mapsSharedByKinds, overlappingRegisters } from './modbus-map-check.ts';
import { modbusBindingSchema, modbusConnectorSchema, type ModbusConnectorConfig } from './modbus-schema.ts';

export const modbusProtocol: ProtocolDefinition<ModbusConnectorConfig> = {
  type: 'modbus',
  configSchema: modbusConnectorSchema,
  bindingSchema: modbusBindingSchema,
  validate: (connector, devices, at) => [
    ...devices.flatMap((d) => {
      const checked = checkModbusBinding(connector, d, d.binding);
      if (checked.ok) return [];
      return checked.problems.map((p) => ({
        path: p.onConnector ? `${at}.${p.path}` : `devices[${d.index}].${p.path}`,
        message: p.onConnector ? `${p.message} (device ${d.id}, kind ${d.kind})` : p.message,
      }));
    }),
    ...mapsSharedByKinds(connector, devices),
    ...overlappingRegisters(connector, at),
  ],
  // loaded on first use, so check-config does not load the protocol stack
  create: async (config, ctx) => new (await import('./modbus-connector.ts')).ModbusConnector(config, ctx),
};
