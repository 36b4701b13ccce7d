import { z } from 'zod';
import { duration, identifier } from '../../config/common-schema.ts';

export const MODBUS_TABLES = ['coil', 'discrete', 'input', 'holding'] as const;
export type ModbusTable = (typeof MODBUS_TABLES)[number];

export const MODBUS_VALUE_TYPES = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'int64', 'uint64', 'bcd16', 'bcd32', 'string'] as const;
export type ModbusValueType = (typeof MODBUS_VALUE_TYPES)[number];

/**
 * One canonical point read from a Modbus table.
 *
 * Multi-register layouts: `wordOrder` says which register holds the most significant word
 * (`big` = first register), `byteOrder` the byte order inside each register (`big` = Modbus
 * standard). float32 ABCD = big/big, CDAB = little/big, BADC = big/little, DCBA = little/little.
 */
export const modbusPointSchema = z
  .object({
    table: z.enum(MODBUS_TABLES),
    address: z.number().int().min(0).max(65535),
    type: z.enum(MODBUS_VALUE_TYPES).default('uint16'),
    /** Bit of a 16-bit status word (0-15, 0 = least significant), for `bool` points read from registers. */
    bit: z.number().int().min(0).max(15).optional(),
    wordOrder: z.enum(['big', 'little']).default('big'),
    byteOrder: z.enum(['big', 'little']).default('big'),
    scale: z.number().default(1),
    offset: z.number().default(0),
    /** Map raw integers to enum values, e.g. `{ 0: idle, 1: up, 2: down }`. */
    map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** `string` only: registers holding the text (two ASCII/UTF-8 bytes each; trailing NULs and spaces dropped). */
    length: z.number().int().min(1).max(125).optional(),
  })
  .superRefine((p, ctx) => {
    const bitTable = p.table === 'coil' || p.table === 'discrete';
    if (bitTable && p.type !== 'bool') {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `a ${p.table} holds one bit: type must be bool, got ${p.type}` });
    }
    if (p.bit !== undefined && (bitTable || p.type !== 'bool')) {
      ctx.addIssue({ code: 'custom', path: ['bit'], message: 'bit applies only to bool points read from input or holding registers' });
    }
    if (p.type === 'string' && p.length === undefined) ctx.addIssue({ code: 'custom', path: ['length'], message: 'a string point needs its length in registers' });
    if (p.type !== 'string' && p.length !== undefined) ctx.addIssue({ code: 'custom', path: ['length'], message: 'length applies only to string points' });
    const words = registerCount(p.type, p.length);
    if (p.address + words > 65536) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: `${p.type} at ${p.address} runs past register 65535` });
    }
  });

/** Registers one value of `type` occupies (`string`: its `length`). */
export function registerCount(type: ModbusValueType, length?: number): number {
  switch (type) {
    case 'float64':
    case 'int64':
    case 'uint64':
      return 4;
    case 'int32':
    case 'uint32':
    case 'float32':
    case 'bcd32':
      return 2;
    case 'string':
      return length ?? 1;
    default:
      return 1;
  }
}

export const modbusConnectorSchema = z
  .object({
    id: identifier,
    type: z.literal('modbus'),
    /** `tcp` = Modbus TCP (MBAP); `rtu-over-tcp` = RTU frames with CRC over a raw TCP socket; `rtu` = serial line. */
    transport: z.enum(['tcp', 'rtu', 'rtu-over-tcp']).default('tcp'),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(502),
    /** Serial device for `rtu` (e.g. /dev/ttyUSB0). */
    path: z.string().optional(),
    baudRate: z.number().int().positive().default(9600),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    /** Time to wait for one response. */
    timeout: duration.default(1_000),
    /** Extra attempts after a timeout before a request counts as failed. */
    retries: z.number().int().min(0).max(10).default(2),
    /** Named register maps that bindings refer to (one per device model). */
    maps: z.record(z.string(), z.record(z.string(), modbusPointSchema)).default({}),
    /** Largest hole (registers or bits) bridged when merging nearby points into one read. */
    maxGap: z.number().int().min(0).max(2000).default(16),
    /** Largest read in registers (protocol limit 125) and in bits (protocol limit 2000). */
    maxRegistersPerRead: z.number().int().min(1).max(125).default(125),
    maxBitsPerRead: z.number().int().min(1).max(2000).default(2000),
    /** Consecutive failed polls before a device is marked comms-lost (and failed requests before the connection is rebuilt). */
    failuresBeforeLost: z.number().int().min(1).max(100).default(3),
    /**
     * Reconnect backoff of the link (the only backoff: device probes follow the link): first delay,
     * doubled per failed attempt up to the cap, with jitter. The 3 s cap brings data back within
     * about 5 s of a device or gateway returning.
     */
    reconnectMin: duration.default(500),
    reconnectMax: duration.default(3_000),
    /** While a device is comms-lost and its link is up, one probe read every this long (at least its poll interval). */
    lostProbeInterval: duration.default(2_000),
    /** Retries of a request answered with exception 6 (device busy), with exponential backoff from `busyBackoff`. */
    busyRetries: z.number().int().min(0).max(10).default(3),
    busyBackoff: duration.default(100),
    /** RTU only: quiet time after a timeout before the next request, so a late reply is not taken for the next one. */
    rtuQuietAfterTimeout: duration.default(200),
    /** Time allowed to open the TCP connection or serial port. */
    connectTimeout: duration.default(5_000),
  })
  .superRefine((c, ctx) => {
    if (c.transport === 'rtu' && !c.path) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'transport rtu needs the serial device path, e.g. /dev/ttyUSB0' });
    }
    if (c.reconnectMax < c.reconnectMin) {
      ctx.addIssue({ code: 'custom', path: ['reconnectMax'], message: 'reconnectMax must be at least reconnectMin' });
    }
  });

export const MODBUS_WRITE_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32'] as const;

/**
 * A command of the device's kind as a Modbus write: a coil (FC5, `value` true or false) or holding
 * registers (FC6 for one 16-bit register, FC16 for 32-bit types, big-endian words). The same
 * address is read back to confirm it.
 */
export const modbusWriteSchema = z
  .strictObject({
    table: z.enum(['coil', 'holding']),
    address: z.number().int().min(0).max(65535),
    value: z.union([z.boolean(), z.number()]),
    type: z.enum(MODBUS_WRITE_TYPES).default('uint16'),
  })
  .superRefine((w, ctx) => {
    if (w.table === 'coil' && typeof w.value !== 'boolean') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a coil is written true or false' });
    }
    if (w.table === 'holding' && typeof w.value !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `a holding register is written a number (type ${w.type})` });
    }
  });

export const modbusBindingSchema = z.object({
  connector: identifier,
  unitId: z.number().int().min(0).max(255).default(1),
  pollInterval: duration.default(1_000),
  /** Name of a register map under the connector's `maps`. */
  map: z.string(),
  /** The kind's commands as writes to this device: `{ reset_trip: { table: coil, address: 8, value: true } }`. */
  commands: z.record(z.string(), modbusWriteSchema).optional(),
});

export type ModbusPoint = z.output<typeof modbusPointSchema>;
export type ModbusConnectorConfig = z.output<typeof modbusConnectorSchema>;
export type ModbusBinding = z.output<typeof modbusBindingSchema>;
export type ModbusWrite = z.output<typeof modbusWriteSchema>;
