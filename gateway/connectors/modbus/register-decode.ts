/**
 * Pure decoding of Modbus table contents into point values: register layouts (word and byte
 * order), integer and float types (16/32/64-bit), BCD, text, bits of status words, scale/offset and enum maps.
 */
import type { PointDef } from '../../model/device-kinds.ts';
import type { PointValue } from '../../model/sample.ts';
import { registerCount, type ModbusPoint, type ModbusTable, type ModbusValueType } from './modbus-schema.ts';

/** Registers (or bits, for coils and discrete inputs) one point occupies. */
export function widthOf(point: Pick<ModbusPoint, 'table' | 'type'> & { readonly length?: number | undefined }): number {
  if (point.table === 'coil' || point.table === 'discrete') return 1;
  return registerCount(point.type, point.length);
}

export function registerWidth(type: ModbusValueType, length?: number): number {
  return registerCount(type, length);
}

/** Packed BCD digits (4 per register, most significant first): 0x1234 → 1234. A nibble above 9 is an error. */
function bcd(bytes: Buffer): number {
  let value = 0;
  for (const byte of bytes) {
    for (const nibble of [byte >> 4, byte & 0x0f]) {
      if (nibble > 9) throw new RangeError(`not BCD: nibble ${nibble.toString(16).toUpperCase()} in 0x${bytes.toString('hex').toUpperCase()}`);
      value = value * 10 + nibble;
    }
  }
  return value;
}

/** A 64-bit integer as a number, refused beyond 2^53 (a JavaScript number would round it). */
function int64(big: bigint): number {
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`64-bit value ${big} is beyond 2^53 and cannot be kept exactly`);
  return Number(big);
}

export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete';
}

/**
 * The bytes of a point's registers in big-endian order (most significant byte first),
 * after undoing the device's word and byte order.
 */
export function registersToBytes(words: readonly number[], wordOrder: 'big' | 'little', byteOrder: 'big' | 'little'): Buffer {
  const ordered = wordOrder === 'big' ? words : [...words].reverse();
  const out = Buffer.alloc(ordered.length * 2);
  ordered.forEach((w, i) => {
    const hi = (w >> 8) & 0xff;
    const lo = w & 0xff;
    out[i * 2] = byteOrder === 'big' ? hi : lo;
    out[i * 2 + 1] = byteOrder === 'big' ? lo : hi;
  });
  return out;
}

/** The raw value of a register point (before scale/offset/map); throws a RangeError naming what cannot be decoded. */
export function decodeRegisters(
  words: readonly number[],
  point: Pick<ModbusPoint, 'type' | 'bit' | 'wordOrder' | 'byteOrder'> & { readonly length?: number | undefined },
): number | boolean | string {
  const width = registerWidth(point.type, point.length);
  if (words.length !== width) throw new RangeError(`${point.type} needs ${width} registers, got ${words.length}`);
  const bytes = registersToBytes(words, point.wordOrder, point.byteOrder);
  switch (point.type) {
    case 'bool': {
      const word = bytes.readUInt16BE(0);
      return point.bit === undefined ? word !== 0 : ((word >> point.bit) & 1) === 1;
    }
    case 'int16':
      return bytes.readInt16BE(0);
    case 'uint16':
      return bytes.readUInt16BE(0);
    case 'int32':
      return bytes.readInt32BE(0);
    case 'uint32':
      return bytes.readUInt32BE(0);
    case 'float32':
      return bytes.readFloatBE(0);
    case 'float64':
      return bytes.readDoubleBE(0);
    case 'int64':
      return int64(bytes.readBigInt64BE(0));
    case 'uint64':
      return int64(bytes.readBigUInt64BE(0));
    case 'bcd16':
    case 'bcd32':
      return bcd(bytes);
    case 'string': {
      // text is in register order: each register's two bytes, first character in the high byte (byteOrder little swaps them)
      const text = registersToBytes(words, 'big', point.byteOrder).toString('utf8');
      return text.replace(/[\0 ]+$/u, '');
    }
  }
}

/** Decode and convert one register point, turning what cannot be decoded into a reason. */
export function decodePoint(words: readonly number[], point: ModbusPoint, def: PointDef): DecodeResult {
  let raw: number | boolean | string;
  try {
    raw = decodeRegisters(words, point);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  return toPointValue(raw, point, def);
}

export type DecodeResult = { readonly ok: true; readonly value: PointValue } | { readonly ok: false; readonly reason: string };

/** Turn a raw value into the canonical point's value: enum map, else scale and offset. */
export function toPointValue(raw: number | boolean | string, point: Pick<ModbusPoint, 'scale' | 'offset' | 'map'>, def: PointDef): DecodeResult {
  if (point.map !== undefined) {
    const key = typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw);
    const mapped = point.map[key];
    if (mapped === undefined) return { ok: false, reason: `raw value ${key} is not in the enum map` };
    if (def.type === 'enum' && (typeof mapped !== 'string' || !def.values?.includes(mapped))) {
      return { ok: false, reason: `mapped value ${String(mapped)} is not one of ${def.values?.join(', ')}` };
    }
    return { ok: true, value: mapped };
  }
  if (typeof raw === 'string') return def.type === 'string' ? { ok: true, value: raw } : { ok: false, reason: `text "${raw}" for a ${def.type} point` };
  if (def.type === 'boolean') {
    return { ok: true, value: typeof raw === 'boolean' ? raw : raw !== 0 };
  }
  if (typeof raw === 'boolean') return { ok: true, value: def.type === 'number' ? (raw ? 1 : 0) : raw };
  if (!Number.isFinite(raw)) return { ok: false, reason: `not a finite number (${raw})` };
  const value = raw * point.scale + point.offset;
  return { ok: true, value: roundScaled(value, point.scale) };
}

/** Remove binary noise from scaling (0.1 * 523 = 52.300000000000004), keeping real precision. */
function roundScaled(value: number, scale: number): number {
  if (Number.isInteger(scale)) return value;
  return Number.parseFloat(value.toPrecision(12));
}

/**
 * Check that a map entry can produce the canonical point's type; returns a problem or undefined.
 * Called once at start-up so misconfiguration names the device and point.
 */
export function checkPointAgainstDef(point: ModbusPoint, def: PointDef): string | undefined {
  if (def.type === 'enum') {
    if (point.map === undefined) return `point is an enum (${def.values?.join(', ')}): give a map from raw values`;
    const bad = Object.values(point.map).filter((v) => typeof v !== 'string' || !def.values?.includes(v));
    if (bad.length > 0) return `map values ${bad.map(String).join(', ')} are not among ${def.values?.join(', ')}`;
  }
  if (def.type === 'boolean' && point.map === undefined && (point.type === 'float32' || point.type === 'float64')) {
    return `a boolean point cannot be read from a ${point.type}`;
  }
  if (def.type === 'number' && point.map === undefined && point.type === 'bool' && !isBitTable(point.table)) {
    return 'a number point read as bool makes no sense; choose an integer type';
  }
  if (def.type === 'string' && point.map === undefined && point.type !== 'string') return 'a string point needs a map from raw values, or type string';
  if (point.type === 'string' && def.type !== 'string' && point.map === undefined) return `type string reads text; the point is a ${def.type}`;
  return undefined;
}
