/**
 * A Modbus TCP server acting as a TCP gateway with several unit ids behind one port, each unit a
 * simulated device. A unit whose model is off the network does not answer at all (the client times
 * out, as behind a real gateway whose serial device is unplugged); an unknown unit id gets exception
 * 0x0B (gateway target device failed to respond); an address outside the table gets 0x02.
 */
import ModbusRTU from 'modbus-serial';
import type { Logger } from 'pino';
import { isReporting, type DeviceModel } from '../models/device-model.ts';
import { COMMAND_COILS, type RegisterImage, type RegisterLayout } from './register-images.ts';

export interface ModbusUnit {
  readonly unitId: number;
  readonly model: DeviceModel;
  readonly layout: RegisterLayout;
}

export interface ModbusServerOptions {
  readonly host: string;
  readonly port: number;
  readonly log?: Logger;
}

type Table = keyof RegisterImage;
type ValueCallback<T> = (err: Error | null, value: T) => void;
type ModbusException = Error & { modbusErrorCode: number };

function exception(code: number, message: string): ModbusException {
  return Object.assign(new Error(message), { modbusErrorCode: code });
}

export class ModbusSimServer {
  private readonly units = new Map<number, ModbusUnit>();
  private readonly options: ModbusServerOptions;
  private server: InstanceType<typeof ModbusRTU.ServerTCP> | undefined;
  /** Command coils as last written, per unit id and address (they read back what was written). */
  private readonly written = new Map<number, Map<number, boolean>>();
  /** Requests answered, and requests left unanswered because the unit is off the network. */
  readonly stats = { answered: 0, unanswered: 0 };

  constructor(units: readonly ModbusUnit[], options: ModbusServerOptions) {
    for (const unit of units) {
      if (this.units.has(unit.unitId)) throw new Error(`unit id ${unit.unitId} used twice on ${options.host}:${options.port}`);
      this.units.set(unit.unitId, unit);
    }
    this.options = options;
  }

  get port(): number {
    return this.options.port;
  }

  async start(): Promise<void> {
    const read = (table: Table) => (addr: number, unitId: number, cb: ValueCallback<never>) => this.read(table, addr, unitId, cb);
    const vector = {
      getCoil: read('coils'),
      getDiscreteInput: read('discrete'),
      getInputRegister: read('input'),
      getHoldingRegister: read('holding'),
      setCoil: (addr: number, value: boolean, unitId: number, cb: (err: Error | null) => void) => this.writeCoil(addr, value, unitId, cb),
    };
    const server = new ModbusRTU.ServerTCP(vector, { host: this.options.host, port: this.options.port, unitID: 255 });
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', (err: Error | null) => reject(new Error(`Modbus simulator cannot listen on ${this.options.host}:${this.options.port}: ${err?.message ?? 'unknown error'}`)));
    });
    server.on('socketError', (err: Error | null) => this.options.log?.debug({ err: err?.message }, 'modbus client socket error'));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A write to a command coil acts on the model (true: the command; false: only the coil); any other coil is exception 2. */
  private writeCoil(addr: number, value: boolean, unitId: number, cb: (err: Error | null) => void): void {
    const unit = this.units.get(unitId);
    if (!unit) {
      cb(exception(0x0b, `no unit ${unitId}`));
      return;
    }
    if (!isReporting(unit.model)) {
      this.stats.unanswered++;
      return;
    }
    const coil = COMMAND_COILS[unit.model.kind]?.[addr];
    if (!coil) {
      cb(exception(0x02, `coil ${addr} of unit ${unitId} is not writable`));
      return;
    }
    if (value && coil.clears === undefined && unit.model.command?.(coil.command) !== true) {
      // the device cannot act on it now (a lift out of service): refused, and the coil keeps its value
      cb(exception(0x04, `${coil.command} refused by ${unit.model.id} now`));
      return;
    }
    const coils = this.written.get(unitId) ?? new Map<number, boolean>();
    coils.set(addr, value);
    this.written.set(unitId, coils);
    if (value && coil.clears !== undefined) unit.model.clearFault(coil.clears);
    this.options.log?.info({ unit: unitId, device: unit.model.id, command: coil.command, value }, 'modbus command coil written');
    this.stats.answered++;
    cb(null);
  }

  private read(table: Table, addr: number, unitId: number, cb: ValueCallback<never>): void {
    const unit = this.units.get(unitId);
    if (!unit) {
      cb(exception(0x0b, `no unit ${unitId}`), undefined as never);
      return;
    }
    if (!isReporting(unit.model)) {
      this.stats.unanswered++;
      return; // off the network: no answer at all
    }
    const commandCoil = table === 'coils' ? COMMAND_COILS[unit.model.kind]?.[addr] : undefined;
    const value = commandCoil ? (this.written.get(unitId)?.get(addr) ?? false) : unit.layout(unit.model.report())[table][addr];
    if (value === undefined) {
      cb(exception(0x02, `illegal data address ${addr}`), undefined as never);
      return;
    }
    this.stats.answered++;
    cb(null, value as never);
  }
}
