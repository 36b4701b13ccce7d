/**
 * The spool contract suite: every Spool implementation must pass it (memory and SQLite today).
 * `make(maxBytes)` returns a fresh spool; `reopen` (when the implementation is durable) closes it
 * and opens the same storage again.
 */
import { describe, expect, it } from 'vitest';
import type { Spool } from '../../../gateway/storage/spool.ts';

export interface SpoolFactory {
  make(maxBytes?: number): Spool;
  reopen?: (spool: Spool) => Spool;
}

const lines = (n: number, prefix = 'm v='): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i} ${1000 + i}`);

export function spoolContract(name: string, factory: SpoolFactory): void {
  describe(`Spool contract: ${name}`, () => {
    it('takes oldest first and keeps what is not settled', () => {
      const s = factory.make();
      s.append(lines(5), 10);
      const a = s.take(3);
      expect(a.items.map((i) => i.line)).toEqual(lines(3));
      // Items of a batch in flight are not taken twice.
      const b = s.take(10);
      expect(b.items.map((i) => i.line)).toEqual(lines(5).slice(3));
      s.settle(a, {}, 20); // keep all
      s.settle(b, { accepted: b.items.map((i) => i.id) }, 20);
      const again = s.take(10);
      expect(again.items.map((i) => i.line)).toEqual(lines(3));
      expect(s.stats().depth).toBe(3);
      s.close();
    });

    it('accepted items leave, rejected items go to the dead letters with the reason, the rest stay', () => {
      const s = factory.make();
      s.append(['a 1', 'b 2', 'c 3', 'd 4'], 10);
      const batch = s.take(4);
      const [a, b, c] = batch.items;
      s.settle(batch, { accepted: [a!.id, c!.id], rejected: [{ id: b!.id, reason: 'unable to parse' }] }, 30);
      expect(s.take(10).items.map((i) => i.line)).toEqual(['d 4']);
      expect(s.deadLetters(10)).toEqual([{ line: 'b 2', reason: 'unable to parse', at: 30 }]);
      const st = s.stats();
      expect(st.depth).toBe(1);
      expect(st.deadLettered).toBe(1);
      expect(st.bytes).toBe(3);
      s.close();
    });

    it('ids only grow, even after the spool was emptied; ranges select by id', () => {
      const s = factory.make();
      const first = s.append(lines(3), 1);
      const all = s.take(10);
      s.settle(all, { accepted: all.items.map((i) => i.id) }, 2);
      expect(s.stats().depth).toBe(0);
      const next = s.append(lines(4, 'n v='), 3);
      expect(next).toBeGreaterThan(first + 2);
      expect(s.stats().nextId).toBe(next + 4);
      expect(s.count({ beforeId: next + 2 })).toBe(2);
      expect(s.count({ fromId: next + 2 })).toBe(2);
      expect(s.take(10, { fromId: next + 1, beforeId: next + 3 }).items.map((i) => i.line)).toEqual(['n v=1 1001', 'n v=2 1002']);
      s.close();
    });

    it('overflow drops the oldest lines, counts them and keeps the newest', () => {
      const s = factory.make(100);
      const ten = Array.from({ length: 10 }, (_, i) => `line-${i}-xxxxxxxxxxx`); // 20 bytes each
      s.append(ten.slice(0, 5), 1); // 100 bytes: fits
      expect(s.stats().droppedLines).toBe(0);
      s.append(ten.slice(5), 2);
      const st = s.stats();
      expect(st.droppedLines).toBe(5);
      expect(st.depth).toBe(5);
      expect(st.bytes).toBeLessThanOrEqual(100);
      expect(s.take(10).items.map((i) => i.line)).toEqual(ten.slice(5));
      s.close();
    });

    it('a dropped item in flight is not dead-lettered nor double-counted when its batch settles', () => {
      const s = factory.make(60);
      s.append(['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb'], 1);
      const batch = s.take(2);
      s.append(['cccccccccccccccccccc', 'dddddddddddddddddddd'], 2); // 80 bytes > 60: drops a
      expect(s.stats().droppedLines).toBe(1);
      s.settle(batch, { rejected: batch.items.map((i) => ({ id: i.id, reason: 'bad' })) }, 3);
      expect(s.deadLetters(10).map((d) => d.line)).toEqual(['bbbbbbbbbbbbbbbbbbbb']);
      expect(s.stats()).toMatchObject({ depth: 2, bytes: 40, deadLettered: 1 });
      s.close();
    });

    it('reports the oldest waiting line and keeps UTF-8 byte sizes', () => {
      const s = factory.make();
      expect(s.stats().oldestAppendedAt).toBeNull();
      s.append(['楼 v=1 1'], 500);
      s.append(['x v=1 2'], 900);
      expect(s.stats()).toMatchObject({ oldestAppendedAt: 500, bytes: Buffer.byteLength('楼 v=1 1') + 7 });
      s.close();
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      it('after close and reopen, unsettled items (even those in flight) and counters are still there', () => {
        const s = factory.make(1000);
        s.append(lines(4), 7);
        const inFlight = s.take(2);
        const other = s.take(1);
        s.settle(other, { rejected: [{ id: other.items[0]!.id, reason: 'bad' }] }, 8);
        const t = reopen(s); // inFlight never settled: a crash
        expect(t.take(10).items.map((i) => i.line)).toEqual([lines(4)[0], lines(4)[1], lines(4)[3]]);
        expect(t.stats()).toMatchObject({ depth: 3, deadLettered: 1, oldestAppendedAt: 7 });
        expect(t.deadLetters(5)).toEqual([{ line: lines(4)[2], reason: 'bad', at: 8 }]);
        expect(inFlight.items).toHaveLength(2);
        t.close();
      });

      it('the ids an append hands out are the stored lines\' ids (a long append, in statements of several lines)', () => {
        const s = factory.make(1_000_000);
        s.append(lines(3, 'a v='), 1);
        const appended = lines(203, 'b v=');
        const firstId = s.append(appended, 2);
        const batch = s.take(1_000);
        expect(batch.items.map((i) => i.line)).toEqual([...lines(3, 'a v='), ...appended]);
        expect(batch.items.map((i) => i.id)).toEqual(Array.from({ length: 206 }, (_, k) => firstId - 3 + k));
        // settled by the ids the append handed out (the newest lines come from memory): exactly those
        // lines leave the file
        const settledLines = new Set(appended.slice(0, 150));
        s.settle(batch, { accepted: batch.items.filter((i) => settledLines.has(i.line)).map((i) => i.id) }, 3);
        const t = reopen(s);
        expect(t.take(1_000).items.map((i) => i.line)).toEqual([...lines(3, 'a v='), ...appended.slice(150)]);
        t.close();
      });
    }
  });
}
