/**
 * One open connection (TCP socket or serial port) through modbus-serial, with reads that settle
 * exactly once: data, a Modbus exception, a timeout on the injected Clock, or "disconnected".
 *
 * What this relies on in modbus-serial 8.0.x (read in node_modules/modbus-serial):
 * - `isOpen` turns false when the socket closes and never turns true again on that object; every
 *   later request fails at once with "Port Not Open". A link is therefore thrown away and a new
 *   ModbusRTU built on reconnect (the owner does that), never reused. TcpPort emits no 'close'
 *   when the socket ended with an error (ECONNRESET: the peer reset the connection), so `isOpen`
 *   going false is treated as the close.
 * - Modbus TCP (TcpPort) splits several MBAP frames out of one TCP segment and matches each to its
 *   request by transaction id; a reply for an older transaction goes to that transaction's callback,
 *   which here has already settled, so it is dropped. Its own timeout (setTimeout) is left off:
 *   timeouts run on the Clock.
 * - RTU framing (TelnetPort for rtu-over-tcp, RTUBufferedPort for serial) has no transaction id:
 *   the port scans its receive buffer for a frame with the current unit id and function code. A
 *   late reply would be taken for the next request, so the receive buffer is emptied before each
 *   request (a half-duplex master has nothing legitimately pending at that moment).
 * - A callback can fire twice (duplicate replies reach the same transaction); `settle` ignores all
 *   but the first.
 */
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { Clock, Timer } from '../../model/clock.ts';
import type { ModbusConnectorConfig, ModbusTable } from './modbus-schema.ts';

/** modbus-serial is CommonJS: `module.exports` is the client class (typed as ModbusRTU). */
const ModbusClient = modbusSerial as unknown as new () => ModbusRTU;

export type ReadFailureKind = 'timeout' | 'exception' | 'disconnected' | 'frame';

export type ReadOutcome =
  | { readonly ok: true; readonly registers: readonly number[]; readonly bits: readonly boolean[] }
  | { readonly ok: false; readonly kind: ReadFailureKind; readonly message: string; readonly exceptionCode?: number };

/** What one write puts where: a coil's state, or raw holding-register words. */
export type WriteTarget =
  | { readonly table: 'coil'; readonly address: number; readonly bit: boolean }
  | { readonly table: 'holding'; readonly address: number; readonly registers: readonly number[] };

export type LinkOptions = Pick<
  ModbusConnectorConfig,
  'transport' | 'host' | 'port' | 'path' | 'baudRate' | 'dataBits' | 'stopBits' | 'parity' | 'connectTimeout'
>;

interface ModbusError {
  readonly message?: string;
  readonly name?: string;
  readonly modbusCode?: number;
}

type ReadCallback = (err: ModbusError | null, result: { data: readonly (number | boolean)[] } | undefined) => void;

export class ModbusLink {
  private readonly client: ModbusRTU;
  private readonly clock: Clock;
  private readonly transport: LinkOptions['transport'];
  private readonly rtuFraming: boolean;
  private readonly closeListeners: (() => void)[] = [];
  private pending: ((outcome: ReadOutcome) => void) | undefined;
  private closed = false;

  private constructor(client: ModbusRTU, clock: Clock, transport: LinkOptions['transport']) {
    this.client = client;
    this.clock = clock;
    this.transport = transport;
    this.rtuFraming = transport !== 'tcp';
    client.on('error', () => this.markClosed());
    client.on('close', () => this.markClosed());
  }

  /** Open a connection; rejects on failure or when `connectTimeout` passes first. */
  static async open(options: LinkOptions, clock: Clock): Promise<ModbusLink> {
    const client = new ModbusClient();
    // An 'error' emitted before our listener is attached would crash the process.
    client.on('error', () => undefined);
    const connect = (done: (err?: unknown) => void): void => {
      switch (options.transport) {
        case 'tcp':
          client.connectTCP(options.host, { port: options.port }, done);
          break;
        case 'rtu-over-tcp':
          client.connectTelnet(options.host, { port: options.port }, done);
          break;
        case 'rtu':
          client.connectRTUBuffered(
            options.path ?? '',
            { baudRate: options.baudRate, dataBits: options.dataBits, stopBits: options.stopBits, parity: options.parity },
            done,
          );
          break;
      }
    };
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = clock.setTimer(options.connectTimeout, () => {
        if (settled) return;
        settled = true;
        discard(client, options.transport);
        reject(new Error(`connect timed out after ${options.connectTimeout} ms`));
      });
      try {
        connect((err?: unknown) => {
          if (settled) return;
          settled = true;
          timer.cancel();
          if (err) {
            discard(client, options.transport);
            reject(err instanceof Error ? err : new Error(describe(err)));
          } else resolve();
        });
      } catch (err) {
        settled = true;
        timer.cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    return new ModbusLink(client, clock, options.transport);
  }

  /**
   * False once the socket or port has closed or failed. modbus-serial's TcpPort does not relay
   * 'close' after a socket error (a reset: 'error' turns isOpen false, so the 'close' that follows
   * is swallowed); the closed link is noticed here instead, and the close listeners run.
   */
  get isOpen(): boolean {
    if (!this.closed && !this.client.isOpen) this.markClosed();
    return !this.closed;
  }

  /** Called once when the socket or port closes or fails (or is found closed by `isOpen`). */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  read(unitId: number, table: ModbusTable, address: number, count: number, timeoutMs: number): Promise<ReadOutcome> {
    return this.request(timeoutMs, (settle) => {
      const callback: ReadCallback = (err, result) => {
        if (err) settle(classify(err));
        else if (!result) settle({ ok: false, kind: 'frame', message: 'empty reply' });
        else settle(toData(table, result.data, count));
      };
      const cb = callback as never;
      if (table === 'coil') this.client.writeFC1(unitId, address, count, cb);
      else if (table === 'discrete') this.client.writeFC2(unitId, address, count, cb);
      else if (table === 'holding') this.client.writeFC3(unitId, address, count, cb);
      else this.client.writeFC4(unitId, address, count, cb);
    });
  }

  /**
   * Write one coil (FC5) or holding registers (FC6 for one, FC16 for several). Settles once:
   * `ok` with no data when the device acknowledged the write, or why not.
   */
  write(unitId: number, target: WriteTarget, timeoutMs: number): Promise<ReadOutcome> {
    return this.request(timeoutMs, (settle) => {
      const cb = ((err: ModbusError | null) => settle(err ? classify(err) : { ok: true, registers: [], bits: [] })) as never;
      if (target.table === 'coil') this.client.writeFC5(unitId, target.address, target.bit, cb);
      else if (target.registers.length === 1) this.client.writeFC6(unitId, target.address, target.registers[0] as number, cb);
      else this.client.writeFC16(unitId, target.address, [...target.registers], cb);
    });
  }

  /**
   * One request on the line: settles once, with the reply, a timeout after `timeoutMs`, or
   * disconnected (the link closed, or the library threw while sending).
   */
  private request(timeoutMs: number, send: (settle: (outcome: ReadOutcome) => void) => void): Promise<ReadOutcome> {
    if (!this.isOpen) return Promise.resolve({ ok: false, kind: 'disconnected', message: 'Port Not Open' });
    if (this.rtuFraming) this.discardReceived();
    return new Promise<ReadOutcome>((resolve) => {
      let timer: Timer | undefined;
      let done = false;
      const settle = (outcome: ReadOutcome): void => {
        if (done) return;
        done = true;
        timer?.cancel();
        if (this.pending === settle) this.pending = undefined;
        resolve(outcome);
      };
      this.pending = settle;
      timer = this.clock.setTimer(timeoutMs, () => settle({ ok: false, kind: 'timeout', message: `no reply within ${timeoutMs} ms` }));
      try {
        send(settle);
      } catch (err) {
        settle({ ok: false, kind: 'disconnected', message: describe(err) });
      }
    });
  }

  /** Close and forget the connection; pending reads settle as disconnected. */
  async close(): Promise<void> {
    this.markClosed();
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimer(1_000, resolve);
      try {
        // a serial port is closed (RTUBufferedPort has no destroy); a socket is destroyed at once
        if (this.transport === 'rtu') {
          this.client.close(() => {
            timer.cancel();
            resolve();
          });
        } else {
          this.client.destroy(() => {
            timer.cancel();
            resolve();
          });
        }
      } catch {
        timer.cancel();
        resolve();
      }
    });
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending?.({ ok: false, kind: 'disconnected', message: 'connection closed' });
    for (const l of this.closeListeners.splice(0)) l();
  }

  /** Drop bytes left in an RTU port's receive buffer (late or garbage replies). */
  private discardReceived(): void {
    const port = (this.client as unknown as { _port?: { _buffer?: unknown } })._port;
    if (port && Buffer.isBuffer(port._buffer) && port._buffer.length > 0) port._buffer = Buffer.alloc(0);
  }
}

function discard(client: ModbusRTU, transport: LinkOptions['transport']): void {
  try {
    if (transport === 'rtu') client.close(() => undefined);
    else client.destroy(() => undefined);
  } catch {
    // nothing left to release
  }
}

function toData(table: ModbusTable, data: readonly (number | boolean)[], count: number): ReadOutcome {
  if (data.length < count) return { ok: false, kind: 'frame', message: `reply holds ${data.length} values, asked for ${count}` };
  if (table === 'coil' || table === 'discrete') {
    return { ok: true, registers: [], bits: data.slice(0, count).map((b) => b === true) };
  }
  return { ok: true, registers: data.slice(0, count).map(Number), bits: [] };
}

function classify(err: ModbusError): ReadOutcome {
  const message = describe(err);
  if (typeof err.modbusCode === 'number') return { ok: false, kind: 'exception', message, exceptionCode: err.modbusCode };
  if (err.name === 'PortNotOpenError' || message === 'Port Not Open') return { ok: false, kind: 'disconnected', message };
  if (err.name === 'TransactionTimedOutError') return { ok: false, kind: 'timeout', message };
  return { ok: false, kind: 'frame', message };
}

function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}
