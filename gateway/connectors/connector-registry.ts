/**
 * The protocols of this build, one line each. A protocol is a folder exporting one
 * `ProtocolDefinition` (`{ type, configSchema, bindingSchema, validate, create }`); its config and
 * binding schemas are also listed in connector-schemas.ts, which types the site file (a zod
 * discriminated union needs them statically, and config loading should not load protocol stacks).
 */
import type { ConfigIssue } from '../config/config-error.ts';
import type { ConnectorConfig } from './connector-schemas.ts';
import type { Connector, ConnectorContext } from './connector.ts';
import { modbusProtocol } from './modbus/modbus-definition.ts';
import { mqttProtocol } from './mqtt/mqtt-definition.ts';
import { opcuaProtocol } from './opcua/opcua-definition.ts';
import { bacnetProtocol } from './bacnet/bacnet-definition.ts';
import { sparkplugProtocol } from './sparkplug/sparkplug-host-definition.ts';
import type { DeclaredDevice, ProtocolDefinition } from './protocol-definition.ts';
import { isDeviceKind } from '../model/kinds/index.ts';
import { zoneCount } from '../model/zone-places.ts';
import { vendorPointsOf } from '../config/kind-schema.ts';

type Definitions = { [T in ConnectorConfig['type']]: ProtocolDefinition<Extract<ConnectorConfig, { type: T }>> };

const PROTOCOLS: Definitions = {
  mqtt: mqttProtocol,
  modbus: modbusProtocol,
  opcua: opcuaProtocol,
  bacnet: bacnetProtocol,
  sparkplug: sparkplugProtocol,
};

function definitionOf<T extends ConnectorConfig['type']>(type: T): ProtocolDefinition<Extract<ConnectorConfig, { type: T }>> {
  return PROTOCOLS[type];
}

/** The connector for `config`. */
export function createConnector(config: ConnectorConfig, ctx: ConnectorContext): Promise<Connector> {
  return (definitionOf(config.type) as ProtocolDefinition<ConnectorConfig>).create(config, ctx);
}

/**
 * Every device binding the running connectors would refuse (unknown map or mapping, points the
 * kind does not have, overlapping registers, one map bound to two kinds, node ids with unknown
 * placeholders, ...), located by path in the site file: each connector's definition `validate`s
 * the devices bound to it. `check-config` runs it on the connectors that passed their schema and
 * on the file's raw device entries (paths keep their index; entries without a known kind or a
 * declared connector are skipped, their own issues come from the schema), so these problems are
 * listed even when other parts of the file are wrong too.
 */
export function validateBindings(config: { readonly connectors: readonly ConnectorConfig[]; readonly devices: readonly unknown[] }): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.connectors.forEach((connector, i) => {
    const devices: DeclaredDevice[] = [];
    config.devices.forEach((d, index) => {
      if (!isObj(d) || !isObj(d.binding) || d.binding.connector !== connector.id) return;
      if (typeof d.kind !== 'string' || !isDeviceKind(d.kind)) return;
      const zones = zoneCount(d.zones);
      const extraPoints = vendorPointsOf(d.points);
      devices.push({ index, id: String(d.id), kind: d.kind, ...(zones === undefined ? {} : { zones }), ...(extraPoints.length > 0 ? { extraPoints } : {}), binding: d.binding });
    });
    issues.push(...(definitionOf(connector.type) as ProtocolDefinition<ConnectorConfig>).validate(connector, devices, `connectors[${i}]`));
  });
  return issues;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
