/**
 * The SQLite spool against the in-memory one as a model: any sequence of appends, takes (with and
 * without id ranges, several batches in flight at once), and settlements that keep, accept or
 * reject must give the same batches, in the same order, and the same counts. This covers the
 * SQLite spool's shortcuts (lines kept in memory, a batch in flight stepped over without reading
 * it, a whole batch accepted without a set of its ids), which the contract suite only samples.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySpool } from '../../../gateway/storage/memory-spool.ts';
import { SqliteSpool } from '../../../gateway/storage/sqlite-spool.ts';
import type { SpoolBatch } from '../../../gateway/storage/spool.ts';
import { tempDir } from '../../support/temp-dir.ts';

const dir = tempDir('fgw-spool-model-');
afterAll(() => dir.cleanup());

type Op =
  | { readonly t: 'append'; readonly n: number }
  | { readonly t: 'take'; readonly limit: number; readonly range: 'all' | 'before' | 'from'; readonly back: number }
  | { readonly t: 'settle'; readonly pick: number; readonly how: 'keep' | 'accept' | 'accept-some' | 'reject-one' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('append' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ t: fc.constant('take' as const), limit: fc.integer({ min: 1, max: 7 }), range: fc.constantFrom('all' as const, 'before' as const, 'from' as const), back: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ t: fc.constant('settle' as const), pick: fc.nat(), how: fc.constantFrom('keep' as const, 'accept' as const, 'accept-some' as const, 'reject-one' as const) }),
);

let files = 0;

describe('SqliteSpool behaves as the in-memory spool', () => {
  it('a batch that took lines around another batch in flight does not hide that batch\'s lines once they are kept', () => {
    for (const spool of [new MemorySpool({ maxBytes: 1e9 }), new SqliteSpool(join(dir.path, `model-${files++}.db`), { maxBytes: 1e9, memoryBytes: 0 })]) {
      spool.append(['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8'].map((l) => `m v=${l.slice(1)}`), 1);
      const a = spool.take(3); // 1–3
      const b = spool.take(3); // 4–6
      spool.settle(a, {}, 2);
      const c = spool.take(2); // 1–2
      const d = spool.take(3); // 3, then past b: 7, 8
      expect(d.items.map((i) => i.line)).toEqual(['m v=3', 'm v=7', 'm v=8']);
      spool.settle(b, {}, 2); // 4–6 waiting again, inside d's span
      expect(spool.take(10).items.map((i) => i.line)).toEqual(['m v=4', 'm v=5', 'm v=6']);
      spool.settle(c, {}, 3);
      spool.settle(d, {}, 3);
      spool.close();
    }
  });

  it('the overflow policy drops the oldest lines of a row and keeps the rest of it; a batch in flight over both settles what is left', () => {
    for (const spool of [new MemorySpool({ maxBytes: 20 }), new SqliteSpool(join(dir.path, `model-${files++}.db`), { maxBytes: 20, memoryBytes: 0 })]) {
      spool.append(['m v=1', 'm v=2', 'm v=3'], 1); // one row of 15 bytes
      const batch = spool.take(3);
      spool.append(['m v=4', 'm v=5'], 2); // 25 bytes > 20: only "m v=1" goes
      expect(spool.stats()).toMatchObject({ depth: 4, bytes: 20, droppedLines: 1 });
      spool.settle(batch, { accepted: batch.items.map((i) => i.id) }, 3);
      expect(spool.stats()).toMatchObject({ depth: 2, bytes: 10 });
      expect(spool.take(10).items.map((i) => i.line)).toEqual(['m v=4', 'm v=5']);
      spool.close();
    }
  });

  // line bytes in memory; the spool's bound (small: the overflow policy drops lines, also inside a row)
  for (const [memoryBytes, maxBytes] of [[0, 1e9], [60, 1e9], [16 * 1024 * 1024, 1e9], [0, 40], [30, 40]] as const) {
    it(`for any sequence of appends, takes and settlements (line bytes in memory: ${memoryBytes}, spool bound: ${maxBytes})`, () => {
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
          const model = new MemorySpool({ maxBytes });
          const real = new SqliteSpool(join(dir.path, `model-${files++}.db`), { maxBytes, memoryBytes });
          const open: Array<{ model: SpoolBatch; real: SpoolBatch }> = [];
          let line = 0;
          try {
            for (const o of ops) {
              if (o.t === 'append') {
                const lines = Array.from({ length: o.n }, () => `m v=${line++}`);
                expect(real.append(lines, 1)).toBe(model.append(lines, 1));
              } else if (o.t === 'take') {
                const next = model.stats().nextId;
                const range = o.range === 'all' ? {} : o.range === 'before' ? { beforeId: next - o.back } : { fromId: next - o.back };
                const pair = { model: model.take(o.limit, range), real: real.take(o.limit, range) };
                expect(pair.real.items).toEqual(pair.model.items);
                open.push(pair);
              } else if (open.length > 0) {
                const [pair] = open.splice(o.pick % open.length, 1) as [{ model: SpoolBatch; real: SpoolBatch }];
                const ids = pair.model.items.map((i) => i.id);
                const settlement =
                  o.how === 'keep' ? {} : o.how === 'accept' ? { accepted: ids } : o.how === 'accept-some' ? { accepted: ids.filter((_, k) => k % 2 === 0) } : { accepted: ids.slice(1), rejected: ids.slice(0, 1).map((id) => ({ id, reason: 'bad' })) };
                model.settle(pair.model, settlement, 2);
                real.settle(pair.real, settlement, 2);
              }
              const { depth, bytes, deadLettered, droppedLines, nextId } = model.stats();
              expect(real.stats()).toMatchObject({ depth, bytes, deadLettered, droppedLines, nextId });
            }
            for (const pair of open) {
              model.settle(pair.model, {}, 3);
              real.settle(pair.real, {}, 3);
            }
            // everything still waiting, oldest first
            expect(real.take(1e6).items).toEqual(model.take(1e6).items);
          } finally {
            real.close();
          }
        }),
        { numRuns: 100 },
      );
    });
  }
});

