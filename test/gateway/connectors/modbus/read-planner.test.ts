import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planReads, type PlannedPoint } from '../../../../gateway/connectors/modbus/read-planner.ts';
import type { ModbusTable } from '../../../../gateway/connectors/modbus/modbus-schema.ts';

const pt = (key: string, table: ModbusTable, address: number, width = 1): PlannedPoint<string> => ({ key, table, address, width });
const limits = { maxGap: 16, maxRegisters: 125, maxBits: 2000 };

describe('planReads', () => {
  it('reads the elevator map (4 coils, 8 input registers) in two requests', () => {
    const plan = planReads(
      [
        pt('in_service', 'coil', 0), pt('moving', 'coil', 1), pt('door_open', 'coil', 2), pt('alarm_button', 'coil', 3),
        pt('floor', 'input', 0), pt('direction', 'input', 1), pt('fault_code', 'input', 2), pt('load_pct', 'input', 3),
        pt('trip_count', 'input', 4, 2), pt('run_hours', 'input', 6, 2),
      ],
      limits,
    );
    expect(plan.map((b) => [b.table, b.address, b.count, b.points.length])).toEqual([
      ['coil', 0, 4, 4],
      ['input', 0, 8, 6],
    ]);
    expect(plan[1]?.points.find((p) => p.key === 'run_hours')).toEqual({ key: 'run_hours', offset: 6, width: 2 });
  });

  it('reads 20 scattered registers of one table in one request', () => {
    const points = Array.from({ length: 20 }, (_, i) => pt(`p${i}`, 'holding', 100 + i * 3));
    const plan = planReads(points, limits);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ table: 'holding', address: 100, count: 58 });
  });

  it('two bits of one status word share the register', () => {
    const plan = planReads([pt('running', 'holding', 0), pt('tripped', 'holding', 0)], limits);
    expect(plan).toEqual([{ table: 'holding', address: 0, count: 1, points: [{ key: 'running', offset: 0, width: 1 }, { key: 'tripped', offset: 0, width: 1 }] }]);
  });

  it('splits at a gap larger than maxGap', () => {
    const plan = planReads([pt('a', 'input', 0), pt('b', 'input', 10), pt('c', 'input', 28)], { ...limits, maxGap: 16 }); // 17 unread registers between b and c
    expect(plan.map((b) => [b.address, b.count])).toEqual([[0, 11], [28, 1]]);
    const tight = planReads([pt('a', 'input', 0), pt('b', 'input', 2)], { ...limits, maxGap: 0 });
    expect(tight).toHaveLength(2);
    const adjacent = planReads([pt('a', 'input', 0), pt('b', 'input', 1)], { ...limits, maxGap: 0 });
    expect(adjacent).toHaveLength(1);
  });

  it('keeps register reads within 125 and bit reads within 2000', () => {
    const regs = planReads([pt('a', 'input', 0), pt('b', 'input', 123, 2), pt('c', 'input', 124, 2)], { ...limits, maxGap: 200 });
    expect(regs.map((b) => [b.address, b.count])).toEqual([[0, 125], [124, 2]]);
    const bits = planReads([pt('a', 'coil', 0), pt('b', 'coil', 1999), pt('c', 'coil', 2000)], { ...limits, maxGap: 5000 });
    expect(bits.map((b) => [b.address, b.count])).toEqual([[0, 2000], [2000, 1]]);
  });

  it('never merges different tables', () => {
    const plan = planReads([pt('a', 'input', 0), pt('b', 'holding', 1), pt('c', 'coil', 0), pt('d', 'discrete', 0)], limits);
    expect(plan.map((b) => b.table).sort()).toEqual(['coil', 'discrete', 'holding', 'input']);
  });

  it('covers every point exactly once, inside its block, within limits (property)', () => {
    const tables: ModbusTable[] = ['coil', 'discrete', 'input', 'holding'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.constantFrom(...tables), address: fc.integer({ min: 0, max: 5000 }), w: fc.constantFrom(1, 2, 4) }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 200 }),
        (raw, maxGap) => {
          const points = raw.map((r, i) => pt(`k${i}`, r.t, r.address, r.t === 'coil' || r.t === 'discrete' ? 1 : r.w));
          const plan = planReads(points, { maxGap, maxRegisters: 125, maxBits: 2000 });
          const seen = new Map<string, number>();
          for (const block of plan) {
            const max = block.table === 'coil' || block.table === 'discrete' ? 2000 : 125;
            expect(block.count).toBeLessThanOrEqual(max);
            for (const m of block.points) {
              seen.set(m.key, (seen.get(m.key) ?? 0) + 1);
              const p = points.find((x) => x.key === m.key);
              expect(p?.table).toBe(block.table);
              expect(block.address + m.offset).toBe(p?.address);
              expect(m.offset + m.width).toBeLessThanOrEqual(block.count);
            }
          }
          expect(seen.size).toBe(points.length);
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
