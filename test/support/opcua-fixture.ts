/** Build an OpcuaConnector for tests: config through the real zod schema, devices through the real binding schema. */
import { TroubleBoard } from '../../gateway/trouble/trouble-board.ts';
import { RealClock, type Clock } from '../../gateway/model/clock.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { opcuaConnectorSchema } from '../../gateway/connectors/opcua/opcua-schema.ts';
import { OpcuaConnector } from '../../gateway/connectors/opcua/opcua-connector.ts';
import type { BoundDevice } from '../../gateway/connectors/connector.ts';
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { Logger } from 'pino';

export interface FixtureDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly zones?: number;
  readonly building?: string;
  readonly binding: Record<string, unknown>;
}

export function boundDevices(connector: string, devices: readonly FixtureDevice[]): BoundDevice[] {
  return devices.map((d) => ({
    info: {
      id: d.id,
      name: d.id,
      kind: d.kind,
      location: { site: 'test', building: d.building ?? 'b1', floor: 'F1' },
      connector,
      ...(d.zones !== undefined ? { zones: d.zones } : {}),
    },
    binding: { connector, ...d.binding },
  }));
}

export function makeOpcuaConnector(
  config: Record<string, unknown>,
  devices: readonly FixtureDevice[],
  dataDir: string,
  log: Logger = silentLogger(),
  clock: Clock = new RealClock(),
): { connector: OpcuaConnector; trouble: TroubleBoard } {
  const trouble = new TroubleBoard(clock);
  const parsed = opcuaConnectorSchema.parse({ id: 'opcua-test', type: 'opcua', ...config });
  const connector = new OpcuaConnector(parsed, { clock, log, devices: boundDevices(parsed.id, devices), trouble, dataDir });
  return { connector, trouble };
}
