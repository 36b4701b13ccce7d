/**
 * Read coalescing: the points of one device become as few requests as possible. Points in the
 * same table whose addresses lie within `maxGap` of each other share one read, as long as the read
 * stays within `maxRegisters` (registers) or `maxBits` (coils, discrete inputs). Pure.
 */
import type { ModbusTable } from './modbus-schema.ts';

export interface PlannedPoint<K> {
  readonly key: K;
  readonly table: ModbusTable;
  readonly address: number;
  /** Registers (or bits) the point occupies. */
  readonly width: number;
}

export interface ReadBlock<K> {
  readonly table: ModbusTable;
  readonly address: number;
  /** Registers (or bits) to read. */
  readonly count: number;
  /** Points served by this read, with their offset into it. */
  readonly points: readonly { readonly key: K; readonly offset: number; readonly width: number }[];
}

export interface PlanLimits {
  readonly maxGap: number;
  readonly maxRegisters: number;
  readonly maxBits: number;
}

export const MODBUS_LIMITS: PlanLimits = { maxGap: 16, maxRegisters: 125, maxBits: 2000 };

const TABLE_ORDER: readonly ModbusTable[] = ['coil', 'discrete', 'holding', 'input'];

export function planReads<K>(points: readonly PlannedPoint<K>[], limits: PlanLimits = MODBUS_LIMITS): ReadBlock<K>[] {
  const blocks: ReadBlock<K>[] = [];
  for (const table of TABLE_ORDER) {
    const max = table === 'coil' || table === 'discrete' ? limits.maxBits : limits.maxRegisters;
    const inTable = points
      .filter((p) => p.table === table)
      .sort((a, b) => a.address - b.address || b.width - a.width);
    let start = 0;
    let end = 0; // exclusive
    let members: PlannedPoint<K>[] = [];
    const flush = (): void => {
      if (members.length === 0) return;
      blocks.push({
        table,
        address: start,
        count: end - start,
        points: members.map((m) => ({ key: m.key, offset: m.address - start, width: m.width })),
      });
      members = [];
    };
    for (const p of inTable) {
      if (p.width > max) throw new RangeError(`point at ${table} ${p.address} is ${p.width} wide, more than one read allows (${max})`);
      const pEnd = p.address + p.width;
      const fits = members.length > 0 && p.address - end <= limits.maxGap && Math.max(end, pEnd) - start <= max;
      if (fits) {
        end = Math.max(end, pEnd);
        members.push(p);
      } else {
        flush();
        start = p.address;
        end = pEnd;
        members = [p];
      }
    }
    flush();
  }
  return blocks;
}
