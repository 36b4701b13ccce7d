/**
 * The protocols of this build, one line each. A protocol is a folder exporting one
 * `ProtocolDefinition` (`{ type, configSchema, bindingSchema, validate, create }`); its config and
 * binding schemas are also listed in connector-schemas.ts, which types the site file (a zod
 * discriminated union needs them statically, and config loading should not load protocol stacks).
 */
import type { ConfigIssue } from '../config/config-error.ts';
import type { SiteConfig } from '../config/site-schema.ts';
import type { ConnectorConfig } from './connector-schemas.ts';
import type { Connector, ConnectorContext } from './connector.ts';
import { modbusProtocol } from './modbus/modbus-definition.ts';
import { mqttProtocol } from './mqtt/mqtt-definition.ts';
import { opcuaProtocol } from './opcua/opcua-definition.ts';
import type { DeclaredDevice, ProtocolDefinition } from './protocol-definition.ts';
import { zoneCount } from '../model/zone-places.ts';

type Definitions = { [T in ConnectorConfig['type']]: ProtocolDefinition<Extract<ConnectorConfig, { type: T }>> };

const PROTOCOLS: Definitions = {
  mqtt: mqttProtocol,
  modbus: modbusProtocol,
  opcua: opcuaProtocol,
};

function definitionOf<T extends ConnectorConfig['type']>(type: T): ProtocolDefinition<Extract<ConnectorConfig, { type: T }>> {
  return PROTOCOLS[type];
}

/** The connector for `config`. */
export function createConnector(config: ConnectorConfig, ctx: ConnectorContext): Connector {
  return (definitionOf(config.type) as ProtocolDefinition<ConnectorConfig>).create(config, ctx);
}

/**
 * Every device binding the running connectors would refuse (unknown map or mapping, points the
 * kind does not have, node ids with unknown placeholders, ...), located by path in the site file.
 * For `check-config`, after the site file passed its schema.
 */
export function validateBindings(config: Pick<SiteConfig, 'connectors' | 'devices'>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.connectors.forEach((connector, i) => {
    const devices: DeclaredDevice[] = [];
    config.devices.forEach((d, index) => {
      if (d.binding.connector !== connector.id) return;
      devices.push({ index, id: d.id, kind: d.kind, ...(zoneCount(d.zones) === undefined ? {} : { zones: zoneCount(d.zones) as number }), binding: d.binding });
    });
    issues.push(...(definitionOf(connector.type) as ProtocolDefinition<ConnectorConfig>).validate(connector, devices, `connectors[${i}]`));
  });
  return issues;
}
