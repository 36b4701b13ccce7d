/** Shared pieces for the Modbus connector tests: free ports, a register bank served by ServerTCP, a collecting sink. */
import modbusSerial from 'modbus-serial';
import type { IServiceVector, ServerTCP as ServerTCPType } from 'modbus-serial';
import { RealClock, type Clock } from '../../../../gateway/model/clock.ts';
import type { DeviceKind } from '../../../../gateway/model/device-kinds.ts';
import type { Sample, SampleSink } from '../../../../gateway/model/sample.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { TroubleBoard } from '../../../../gateway/trouble/trouble-board.ts';
import type { ConnectorContext } from '../../../../gateway/connectors/connector.ts';
import { modbusConnectorSchema, type ModbusConnectorConfig } from '../../../../gateway/connectors/modbus/modbus-schema.ts';

const ServerTCP = (modbusSerial as unknown as { ServerTCP: typeof ServerTCPType }).ServerTCP;

export { freePort } from '../../../support/free-port.ts';

/** The shared `elevator-sim` and `pump-sim` register maps (see BRIEF). */
export const ELEVATOR_SIM = {
  in_service: { table: 'coil', address: 0, type: 'bool' },
  moving: { table: 'coil', address: 1, type: 'bool' },
  door_open: { table: 'coil', address: 2, type: 'bool' },
  alarm_button: { table: 'coil', address: 3, type: 'bool' },
  floor: { table: 'input', address: 0, type: 'int16' },
  direction: { table: 'input', address: 1, type: 'uint16', map: { 0: 'idle', 1: 'up', 2: 'down' } },
  fault_code: { table: 'input', address: 2, type: 'uint16' },
  load_pct: { table: 'input', address: 3, type: 'uint16', scale: 0.1 },
  trip_count: { table: 'input', address: 4, type: 'uint32' },
  run_hours: { table: 'input', address: 6, type: 'float32' },
} as const;

export const PUMP_SIM = {
  running: { table: 'holding', address: 0, type: 'bool', bit: 0 },
  tripped: { table: 'holding', address: 0, type: 'bool', bit: 1 },
  discharge_bar: { table: 'input', address: 0, type: 'float32' },
  suction_bar: { table: 'input', address: 2, type: 'float32' },
  flow_m3h: { table: 'input', address: 4, type: 'float32' },
  motor_current_a: { table: 'input', address: 6, type: 'float32' },
  vibration_mm_s: { table: 'input', address: 8, type: 'float32' },
  bearing_temp_c: { table: 'input', address: 10, type: 'float32' },
  run_hours: { table: 'input', address: 12, type: 'float32' },
} as const;

export function float32Words(value: number): [number, number] {
  const b = Buffer.alloc(4);
  b.writeFloatBE(value);
  return [b.readUInt16BE(0), b.readUInt16BE(2)];
}

/** Register contents of one unit. */
export interface UnitBank {
  coils: boolean[];
  discrete: boolean[];
  input: number[];
  holding: number[];
}

export function elevatorBank(): UnitBank {
  const input = [(-2 & 0xffff), 2, 17, 523, 0x0001, 0x1170, ...float32Words(1234.5)];
  return { coils: [true, false, true, false], discrete: [], input, holding: [] };
}

export function pumpBank(): UnitBank {
  const floats = [6.5, 1.25, 42, 17.5, 2.25, 55, 9876.5].flatMap(float32Words);
  return { coils: [], discrete: [], input: floats, holding: [0b01] };
}

/** What a test server does for one register read: a value, a Modbus exception, or silence. */
export type Behaviour = { exception: number } | 'silent' | undefined;

export interface TestServer {
  readonly port: number;
  readonly banks: Map<number, UnitBank>;
  /** Consulted before each register/bit read. */
  behaviour: (unit: number, table: keyof UnitBank, address: number) => Behaviour;
  close(): Promise<void>;
}

/** modbus-serial's own ServerTCP answering for every unit id in `banks`. */
export async function startServerTcp(port: number, banks: Map<number, UnitBank>): Promise<TestServer> {
  const server: TestServer = {
    port,
    banks,
    behaviour: () => undefined,
    close: async () => {
      for (const sock of tcp.socks.keys()) sock.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
  const get = <T>(table: keyof UnitBank, fallback: T) => (addr: number, unit: number): T | Promise<T> => {
    const b = server.behaviour(unit, table, addr);
    if (b === 'silent') return new Promise<T>(() => undefined);
    if (b) throw { modbusErrorCode: b.exception, msg: 'test exception' };
    const bank = banks.get(unit);
    if (!bank) return new Promise<T>(() => undefined); // no such unit behind this gateway: no reply
    return ((bank[table] as unknown[])[addr] as T | undefined) ?? fallback;
  };
  const vector: IServiceVector = {
    getCoil: get<boolean>('coils', false),
    getDiscreteInput: get<boolean>('discrete', false),
    getInputRegister: get<number>('input', 0),
    getHoldingRegister: get<number>('holding', 0),
  };
  const tcp = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 255 });
  await new Promise<void>((resolve, reject) => {
    tcp.once('initialized', () => resolve());
    tcp.once('serverError', reject);
  });
  tcp.on('socketError', () => undefined);
  return server;
}

export class CollectingSink implements SampleSink {
  readonly samples: Sample[] = [];
  push(batch: readonly Sample[]): void {
    this.samples.push(...batch);
  }
  latest(device: string, point: string): Sample | undefined {
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i];
      if (s && s.device === device && s.point === point) return s;
    }
    return undefined;
  }
  count(pred: (s: Sample) => boolean): number {
    return this.samples.filter(pred).length;
  }
}

export { waitFor } from '../../../support/wait-for.ts';

export function connectorConfig(input: Record<string, unknown>): ModbusConnectorConfig {
  return modbusConnectorSchema.parse({ id: 'modbus-test', type: 'modbus', maps: { 'elevator-sim': ELEVATOR_SIM, 'pump-sim': PUMP_SIM }, ...input });
}

export interface TestDevice {
  id: string;
  kind: DeviceKind;
  unitId: number;
  map: string;
  pollInterval?: number;
}

export function context(devices: readonly TestDevice[], clock: Clock = new RealClock()): ConnectorContext & { trouble: TroubleBoard } {
  return {
    clock,
    log: silentLogger(),
    trouble: new TroubleBoard(clock),
    devices: devices.map((d) => ({
      info: { id: d.id, name: d.id, kind: d.kind, location: { site: 's', building: 'b1', floor: 'F1' }, connector: 'modbus-test' },
      binding: { connector: 'modbus-test', unitId: d.unitId, map: d.map, pollInterval: d.pollInterval ?? 50 },
    })),
  };
}
