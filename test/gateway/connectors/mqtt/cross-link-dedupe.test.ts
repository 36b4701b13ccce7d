import { describe, expect, it } from 'vitest';
import { CrossLinkDedupe } from '../../../../gateway/connectors/mqtt/cross-link-dedupe.ts';

const msg = (s: string): Buffer => Buffer.from(s);

describe('CrossLinkDedupe: one delivery per broker message across two connections', () => {
  it('consumes the copy the other link delivered, in either order, and delivers everything else', () => {
    const d = new CrossLinkDedupe();
    expect(d.admit('life-safety', 't/1', msg('{"alarm":true}'), 0)).toBe(true);
    expect(d.admit('main', 't/1', msg('{"alarm":true}'), 10)).toBe(false);
    // main first (the life-safety link was down): its copy arrives later and is consumed
    expect(d.admit('main', 't/1', msg('{"alarm":false}'), 20)).toBe(true);
    expect(d.admit('life-safety', 't/1', msg('{"alarm":false}'), 30)).toBe(false);
    expect(d.consumed).toBe(2);
    // same bytes on another topic, or other bytes on the same topic: not a copy
    expect(d.admit('life-safety', 't/2', msg('{"alarm":true}'), 40)).toBe(true);
    expect(d.admit('main', 't/1', msg('{"alarm":true} '), 50)).toBe(true);
  });

  it('pairs identical messages one for one: two deliveries on one link are two, consumed by two copies', () => {
    const d = new CrossLinkDedupe();
    const same = msg('{"alarm":true}');
    expect([d.admit('life-safety', 't', same, 0), d.admit('life-safety', 't', same, 1)]).toEqual([true, true]);
    expect([d.admit('main', 't', same, 2), d.admit('main', 't', same, 3), d.admit('main', 't', same, 4)]).toEqual([false, false, true]);
  });

  it('forgets deliveries older than the window and beyond the record limit (a duplicate at worst, never a loss)', () => {
    const d = new CrossLinkDedupe({ windowMs: 1_000, maxRecords: 2 });
    d.admit('life-safety', 'old', msg('x'), 0);
    expect(d.admit('main', 'old', msg('x'), 1_001)).toBe(true);
    d.admit('life-safety', 'a', msg('1'), 2_000);
    d.admit('life-safety', 'b', msg('2'), 2_001);
    d.admit('life-safety', 'c', msg('3'), 2_002);
    expect(d.admit('main', 'a', msg('1'), 2_003)).toBe(true);
    expect(d.admit('main', 'c', msg('3'), 2_004)).toBe(false);
    expect(d.size()).toBeLessThanOrEqual(4);
  });

  it('keeps only the window of a payload repeated on one link for hours: a copy older than the window is not consumed', () => {
    const d = new CrossLinkDedupe({ windowMs: 1_000 });
    const same = msg('{"alarm":false}');
    // another key stays first and young, so the sweep by age stops at it
    for (let t = 0; t < 100_000; t += 100) {
      d.admit('life-safety', 'front', msg('x'), t);
      d.admit('life-safety', 'state', same, t);
    }
    // each key holds the last second's deliveries (11: t = 98,900 … 99,900), not 1,000
    expect(d.size()).toBe(22);
    // the life-safety link delivered `same` 10 times within the last second: exactly 10 copies are consumed
    const consumed = Array.from({ length: 12 }, () => d.admit('main', 'state', same, 100_000)).filter((x) => !x).length;
    expect(consumed).toBe(10);
  });
});
