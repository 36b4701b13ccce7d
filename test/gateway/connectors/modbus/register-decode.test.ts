import { describe, expect, it } from 'vitest';
import { pointsOf, type PointDef } from '../../../../gateway/model/device-kinds.ts';
import { modbusPointSchema, type ModbusPoint } from '../../../../gateway/connectors/modbus/modbus-schema.ts';
import { checkPointAgainstDef, decodeRegisters, toPointValue, widthOf } from '../../../../gateway/connectors/modbus/register-decode.ts';

const point = (input: Record<string, unknown>): ModbusPoint => modbusPointSchema.parse({ table: 'input', address: 0, ...input });
const def = (kind: 'elevator' | 'pump', name: string): PointDef => {
  const d = pointsOf(kind).find((p) => p.name === name);
  if (!d) throw new Error(`no point ${name}`);
  return d;
};

type Order = { wordOrder: 'big' | 'little'; byteOrder: 'big' | 'little' };
const ABCD: Order = { wordOrder: 'big', byteOrder: 'big' };
const CDAB: Order = { wordOrder: 'little', byteOrder: 'big' };
const BADC: Order = { wordOrder: 'big', byteOrder: 'little' };
const DCBA: Order = { wordOrder: 'little', byteOrder: 'little' };

describe('decodeRegisters', () => {
  const cases: { name: string; type: string; order: Order; words: number[]; expected: number | boolean; bit?: number }[] = [
    { name: 'int16 negative', type: 'int16', order: ABCD, words: [0xffff], expected: -1 },
    { name: 'int16 min', type: 'int16', order: ABCD, words: [0x8000], expected: -32768 },
    { name: 'int16 byte-swapped', type: 'int16', order: BADC, words: [0x0100], expected: 1 },
    { name: 'uint16 max', type: 'uint16', order: ABCD, words: [0xffff], expected: 65535 },
    { name: 'uint16 byte-swapped', type: 'uint16', order: BADC, words: [0x3412], expected: 0x1234 },
    { name: 'int32 ABCD', type: 'int32', order: ABCD, words: [0xffff, 0xfffe], expected: -2 },
    { name: 'int32 CDAB', type: 'int32', order: CDAB, words: [0xfffe, 0xffff], expected: -2 },
    { name: 'uint32 ABCD', type: 'uint32', order: ABCD, words: [0x1234, 0x5678], expected: 0x12345678 },
    { name: 'uint32 CDAB', type: 'uint32', order: CDAB, words: [0x5678, 0x1234], expected: 0x12345678 },
    { name: 'uint32 BADC', type: 'uint32', order: BADC, words: [0x3412, 0x7856], expected: 0x12345678 },
    { name: 'uint32 DCBA', type: 'uint32', order: DCBA, words: [0x7856, 0x3412], expected: 0x12345678 },
    { name: 'uint32 above 2^31', type: 'uint32', order: ABCD, words: [0xffff, 0xffff], expected: 4294967295 },
    { name: 'float32 ABCD', type: 'float32', order: ABCD, words: [0x4148, 0xf5c3], expected: Math.fround(12.56) },
    { name: 'float32 CDAB', type: 'float32', order: CDAB, words: [0xf5c3, 0x4148], expected: Math.fround(12.56) },
    { name: 'float32 BADC', type: 'float32', order: BADC, words: [0x4841, 0xc3f5], expected: Math.fround(12.56) },
    { name: 'float32 DCBA', type: 'float32', order: DCBA, words: [0xc3f5, 0x4841], expected: Math.fround(12.56) },
    { name: 'float32 negative', type: 'float32', order: ABCD, words: [0xc2f6, 0xe979], expected: Math.fround(-123.456) },
    { name: 'float64 ABCD', type: 'float64', order: ABCD, words: [0x4009, 0x21fb, 0x5444, 0x2d18], expected: Math.PI },
    { name: 'float64 little words', type: 'float64', order: CDAB, words: [0x2d18, 0x5444, 0x21fb, 0x4009], expected: Math.PI },
    { name: 'float64 BADC', type: 'float64', order: BADC, words: [0x0940, 0xfb21, 0x4454, 0x182d], expected: Math.PI },
    { name: 'float64 DCBA', type: 'float64', order: DCBA, words: [0x182d, 0x4454, 0xfb21, 0x0940], expected: Math.PI },
    { name: 'status word bit 0 clear', type: 'bool', order: ABCD, words: [0b10], bit: 0, expected: false },
    { name: 'status word bit 1 set', type: 'bool', order: ABCD, words: [0b10], bit: 1, expected: true },
    { name: 'status word bit 15', type: 'bool', order: ABCD, words: [0x8000], bit: 15, expected: true },
    { name: 'status word bit, byte-swapped', type: 'bool', order: BADC, words: [0x0100], bit: 0, expected: true },
    { name: 'bool register without bit: nonzero', type: 'bool', order: ABCD, words: [0x0040], expected: true },
    { name: 'bool register without bit: zero', type: 'bool', order: ABCD, words: [0], expected: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = point({ type: c.type, ...c.order, ...(c.bit === undefined ? {} : { bit: c.bit }) });
      expect(decodeRegisters(c.words, p)).toBe(c.expected);
    });
  }

  it('rejects the wrong number of registers', () => {
    expect(() => decodeRegisters([1], point({ type: 'float32' }))).toThrow(/needs 2 registers/);
  });

  it('knows the width of every type', () => {
    expect([
      widthOf({ table: 'coil', type: 'bool' }),
      widthOf({ table: 'input', type: 'int16' }),
      widthOf({ table: 'input', type: 'uint32' }),
      widthOf({ table: 'holding', type: 'float32' }),
      widthOf({ table: 'holding', type: 'float64' }),
    ]).toEqual([1, 1, 2, 2, 4]);
  });
});

describe('toPointValue', () => {
  const cases: { name: string; raw: number | boolean; p: Record<string, unknown>; d: PointDef; expected: unknown }[] = [
    { name: 'scale 0.1', raw: 523, p: { scale: 0.1 }, d: def('elevator', 'load_pct'), expected: 52.3 },
    { name: 'scale and offset', raw: 100, p: { scale: 0.5, offset: -40 }, d: def('pump', 'bearing_temp_c'), expected: 10 },
    { name: 'integer unchanged', raw: -3, p: {}, d: def('elevator', 'floor'), expected: -3 },
    { name: 'enum map to canonical direction', raw: 1, p: { map: { 0: 'idle', 1: 'up', 2: 'down' } }, d: def('elevator', 'direction'), expected: 'up' },
    { name: 'boolean point from a register', raw: 2, p: {}, d: def('pump', 'running'), expected: true },
    { name: 'boolean point from a coil', raw: false, p: {}, d: def('elevator', 'moving'), expected: false },
    { name: 'number point from a coil', raw: true, p: {}, d: def('elevator', 'floor'), expected: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(toPointValue(c.raw, point(c.p), c.d)).toEqual({ ok: true, value: c.expected });
    });
  }

  it('reports a raw value missing from the enum map', () => {
    const r = toPointValue(7, point({ map: { 0: 'idle', 1: 'up', 2: 'down' } }), def('elevator', 'direction'));
    expect(r).toEqual({ ok: false, reason: 'raw value 7 is not in the enum map' });
  });

  it('reports NaN and infinity from float registers', () => {
    expect(toPointValue(Number.NaN, point({ type: 'float32' }), def('pump', 'flow_m3h')).ok).toBe(false);
    expect(toPointValue(Number.POSITIVE_INFINITY, point({ type: 'float32' }), def('pump', 'flow_m3h')).ok).toBe(false);
  });
});

describe('point schema and checks', () => {
  it('rejects a non-bool coil, a bit on a float and a float64 past the last register', () => {
    expect(modbusPointSchema.safeParse({ table: 'coil', address: 0, type: 'uint16' }).success).toBe(false);
    expect(modbusPointSchema.safeParse({ table: 'input', address: 0, type: 'float32', bit: 3 }).success).toBe(false);
    expect(modbusPointSchema.safeParse({ table: 'input', address: 65533, type: 'float64' }).success).toBe(false);
    expect(modbusPointSchema.safeParse({ table: 'input', address: 65532, type: 'float64' }).success).toBe(true);
  });

  it('requires enum points to map onto the canonical values', () => {
    expect(checkPointAgainstDef(point({}), def('elevator', 'direction'))).toMatch(/enum/);
    expect(checkPointAgainstDef(point({ map: { 0: 'idle', 1: 'upward' } }), def('elevator', 'direction'))).toMatch(/upward/);
    expect(checkPointAgainstDef(point({ map: { 0: 'idle', 1: 'up', 2: 'down' } }), def('elevator', 'direction'))).toBeUndefined();
    expect(checkPointAgainstDef(point({ type: 'float32' }), def('pump', 'running'))).toMatch(/boolean/);
  });
});
