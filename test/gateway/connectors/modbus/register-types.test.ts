/** The register types beyond 16/32-bit: int64, uint64 (exact up to 2^53), BCD and text. */
import { describe, expect, it } from 'vitest';
import { modbusPointSchema } from '../../../../gateway/connectors/modbus/modbus-schema.ts';
import { checkPointAgainstDef, decodePoint, decodeRegisters, widthOf } from '../../../../gateway/connectors/modbus/register-decode.ts';
import type { PointDef } from '../../../../gateway/model/device-kinds.ts';

const point = (p: Record<string, unknown>) => modbusPointSchema.parse({ table: 'holding', address: 0, ...p });
const num: PointDef = { name: 'energy_kwh', type: 'number', description: 'Energy' };
const text: PointDef = { name: 'serial_no', type: 'string', description: 'Serial number' };

describe('64-bit integers', () => {
  it('reads int64 and uint64 over four registers in either word order', () => {
    expect(widthOf(point({ type: 'int64' }))).toBe(4);
    expect(decodeRegisters([0x0000, 0x0001, 0x0000, 0x0002], point({ type: 'uint64' }))).toBe(2 ** 32 + 2);
    expect(decodeRegisters([0x0002, 0x0000, 0x0001, 0x0000], point({ type: 'uint64', wordOrder: 'little' }))).toBe(2 ** 32 + 2);
    expect(decodeRegisters([0xffff, 0xffff, 0xffff, 0xfffe], point({ type: 'int64' }))).toBe(-2);
  });

  it('refuses a value beyond 2^53 instead of rounding it', () => {
    const r = decodePoint([0xffff, 0xffff, 0xffff, 0xffff], point({ type: 'uint64' }), num);
    expect(r).toEqual({ ok: false, reason: '64-bit value 18446744073709551615 is beyond 2^53 and cannot be kept exactly' });
  });
});

describe('BCD', () => {
  it('reads four digits per register, scaled like any number', () => {
    expect(decodeRegisters([0x1234], point({ type: 'bcd16' }))).toBe(1234);
    expect(decodeRegisters([0x0012, 0x3456], point({ type: 'bcd32' }))).toBe(123456);
    expect(decodePoint([0x0987], point({ type: 'bcd16', scale: 0.1 }), num)).toEqual({ ok: true, value: 98.7 });
  });

  it('names a nibble that is not a decimal digit', () => {
    expect(decodePoint([0x12a4], point({ type: 'bcd16' }), num)).toEqual({ ok: false, reason: 'not BCD: nibble A in 0x12A4' });
  });
});

describe('text', () => {
  it('reads a string of `length` registers, dropping trailing NULs and spaces', () => {
    const p = point({ type: 'string', length: 4 });
    expect(widthOf(p)).toBe(4);
    // "AB-7" then NUL padding: 0x4142 0x2D37 0x0000 0x0000
    expect(decodePoint([0x4142, 0x2d37, 0x0000, 0x0000], p, text)).toEqual({ ok: true, value: 'AB-7' });
    expect(decodePoint([0x4241, 0x372d, 0x2020, 0x2020], point({ type: 'string', length: 4, byteOrder: 'little' }), text)).toEqual({ ok: true, value: 'AB-7' });
  });

  it('needs a length, and only on strings; a number point cannot read text', () => {
    expect(modbusPointSchema.safeParse({ table: 'holding', address: 0, type: 'string' }).error?.issues[0]?.message).toBe('a string point needs its length in registers');
    expect(modbusPointSchema.safeParse({ table: 'holding', address: 0, type: 'uint16', length: 2 }).success).toBe(false);
    expect(modbusPointSchema.safeParse({ table: 'holding', address: 65534, type: 'string', length: 4 }).success).toBe(false);
    expect(checkPointAgainstDef(point({ type: 'string', length: 2 }), num)).toBe('type string reads text; the point is a number');
    expect(checkPointAgainstDef(point({ type: 'string', length: 2 }), text)).toBeUndefined();
  });
});
