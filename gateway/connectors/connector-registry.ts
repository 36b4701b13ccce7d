/** Runtime factories per connector type; one line per protocol. */
import type { ConnectorConfig } from './connector-schemas.ts';
import type { Connector, ConnectorContext } from './connector.ts';
import { ModbusConnector } from './modbus/modbus-connector.ts';
import { MqttConnector } from './mqtt/mqtt-connector.ts';
import { OpcuaConnector } from './opcua/opcua-connector.ts';

type Factory<T extends ConnectorConfig['type']> = (config: Extract<ConnectorConfig, { type: T }>, ctx: ConnectorContext) => Connector;

const FACTORIES: { [T in ConnectorConfig['type']]?: Factory<T> } = {
  mqtt: (config, ctx) => new MqttConnector(config, ctx),
  modbus: (config, ctx) => new ModbusConnector(config, ctx),
  opcua: (config, ctx) => new OpcuaConnector(config, ctx),
};

/** The connector for `config`, or undefined when this build has no runtime for its type yet. */
export function createConnector(config: ConnectorConfig, ctx: ConnectorContext): Connector | undefined {
  const factory = FACTORIES[config.type] as Factory<typeof config.type> | undefined;
  return factory?.(config, ctx);
}
