/**
 * The registry of connector types, as configuration sees them: each type's connection schema and
 * binding schema. Adding a protocol means adding its folder, its entry here, and its factory in
 * connector-registry.ts.
 */
import { z } from 'zod';
import { modbusBindingSchema, modbusConnectorSchema } from './modbus/modbus-schema.ts';
import { mqttBindingSchema, mqttConnectorSchema } from './mqtt/mqtt-schema.ts';
import { opcuaBindingSchema, opcuaConnectorSchema } from './opcua/opcua-schema.ts';
import { bacnetBindingSchema, bacnetConnectorSchema } from './bacnet/bacnet-schema.ts';
import { sparkplugHostBindingSchema, sparkplugHostConnectorSchema } from './sparkplug/sparkplug-host-schema.ts';

export const connectorConfigSchema = z.discriminatedUnion('type', [mqttConnectorSchema, modbusConnectorSchema, opcuaConnectorSchema, bacnetConnectorSchema, sparkplugHostConnectorSchema]);
export type ConnectorConfig = z.output<typeof connectorConfigSchema>;
export type ConnectorType = ConnectorConfig['type'];

/** Binding schema per connector type; a device's binding is checked against its connector's type. */
export const BINDING_SCHEMAS: Record<ConnectorType, z.ZodType> = {
  mqtt: mqttBindingSchema,
  modbus: modbusBindingSchema,
  opcua: opcuaBindingSchema,
  bacnet: bacnetBindingSchema,
  sparkplug: sparkplugHostBindingSchema,
};

export const bindingBaseSchema = z.looseObject({ connector: z.string() });
