/** The Modbus protocol as the connector registry sees it. */
import type { ProtocolDefinition } from '../protocol-definition.ts';
import { checkModbusBinding } from './modbus-binding-check.ts';
import { ModbusConnector } from './modbus-connector.ts';
import { modbusBindingSchema, modbusConnectorSchema, type ModbusConnectorConfig } from './modbus-schema.ts';

export const modbusProtocol: ProtocolDefinition<ModbusConnectorConfig> = {
  type: 'modbus',
  configSchema: modbusConnectorSchema,
  bindingSchema: modbusBindingSchema,
  validate: (connector, devices, at) =>
    devices.flatMap((d) => {
      const checked = checkModbusBinding(connector, d, d.binding);
      if (checked.ok) return [];
      return checked.problems.map((p) => ({
        path: p.onConnector ? `${at}.${p.path}` : `devices[${d.index}].${p.path}`,
        message: p.onConnector ? `${p.message} (device ${d.id}, kind ${d.kind})` : p.message,
      }));
    }),
  create: (config, ctx) => new ModbusConnector(config, ctx),
};
