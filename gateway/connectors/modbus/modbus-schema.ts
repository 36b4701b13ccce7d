import { z } from 'zod';
import { duration, identifier } from '../../config/common-schema.ts';

/** One canonical point read from a Modbus table. */
export const modbusPointSchema = z.object({
  table: z.enum(['coil', 'discrete', 'input', 'holding']),
  address: z.number().int().min(0).max(65535),
  type: z.enum(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']).default('uint16'),
  /** Bit of a 16-bit status word (0-15), for `bool` points read from registers. */
  bit: z.number().int().min(0).max(15).optional(),
  wordOrder: z.enum(['big', 'little']).default('big'),
  byteOrder: z.enum(['big', 'little']).default('big'),
  scale: z.number().default(1),
  offset: z.number().default(0),
  /** Map raw integers to enum values, e.g. `{ 0: idle, 1: up, 2: down }`. */
  map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const modbusConnectorSchema = z.object({
  id: identifier,
  type: z.literal('modbus'),
  transport: z.enum(['tcp', 'rtu', 'rtu-over-tcp']).default('tcp'),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(502),
  /** Serial device for `rtu` (e.g. /dev/ttyUSB0). */
  path: z.string().optional(),
  baudRate: z.number().int().positive().default(9600),
  timeout: duration.default(1_000),
  retries: z.number().int().min(0).max(10).default(2),
  /** Named register maps that bindings refer to (one per device model). */
  maps: z.record(z.string(), z.record(z.string(), modbusPointSchema)).default({}),
});

export const modbusBindingSchema = z.object({
  connector: identifier,
  unitId: z.number().int().min(0).max(255).default(1),
  pollInterval: duration.default(1_000),
  /** Name of a register map under the connector's `maps`. */
  map: z.string(),
});
