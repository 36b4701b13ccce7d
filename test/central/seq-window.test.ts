import { describe, expect, it } from 'vitest';
import { advance, afterRebirthRequest, EMPTY_WINDOW, gapConfirmed, WINDOW_AHEAD, type SeqEvent } from '../../central/seq-window.ts';

const GRACE = 5_000;
/** Messages of one session: NBIRTH (seq 0) stamped at 1,000, then seqs stamped 1,000 + their index. */
const birth = (ts = 1_000, at = 0): SeqEvent => ({ seq: 0, birth: true, ts, at });
const msg = (seq: number, at = 0, ts = 1_000 + seq): SeqEvent => ({ seq, birth: false, ts, at });

describe('the Sparkplug seq check of a session', () => {
  it('accepts 0–255 in order with the wrap to 0 and sees no gap', () => {
    const events = [birth(), ...Array.from({ length: 600 }, (_, i) => msg((i + 1) % 256, 0, 1_001 + i))];
    const w = advance(EMPTY_WINDOW, events);
    expect(w).toMatchObject({ next: 601 % 256, ahead: [], gapSince: null });
    expect(gapConfirmed(w, 1e9, GRACE)).toBe(false);
  });

  it('accepts messages applied out of order (two instances) when the missing one comes within the grace', () => {
    const w = advance(EMPTY_WINDOW, [birth(), msg(1), msg(3, 100), msg(4, 100), msg(2, 200)]);
    expect(w).toMatchObject({ next: 5, ahead: [], gapSince: null });
  });

  it('confirms a gap still open after the grace, and one that fills the window at once', () => {
    const w = advance(EMPTY_WINDOW, [birth(), msg(1), msg(3, 100)]);
    expect(w).toMatchObject({ next: 2, ahead: [3], gapSince: 100 });
    expect(gapConfirmed(w, 100 + GRACE - 1, GRACE)).toBe(false);
    expect(gapConfirmed(w, 100 + GRACE, GRACE)).toBe(true);
    const full = advance(EMPTY_WINDOW, [birth(), ...Array.from({ length: WINDOW_AHEAD }, (_, i) => msg(i + 2, 100))]);
    expect(gapConfirmed(full, 101, GRACE)).toBe(true);
    // after the rebirth request the count starts again at the next message or birth
    expect(advance(afterRebirthRequest(w), [msg(9, 200)])).toMatchObject({ next: 10, ahead: [], gapSince: null });
  });

  it('ignores a duplicate, a late re-delivery and a message of an earlier birth', () => {
    const w = advance(EMPTY_WINDOW, [birth(), msg(1), msg(2), msg(1), msg(2)]);
    expect(w).toMatchObject({ next: 3, ahead: [] });
    const reborn = advance(w, [birth(5_000), msg(77, 0, 1_077)]);
    expect(reborn).toMatchObject({ next: 1, ahead: [], gapSince: null, birthTs: 5_000 });
  });

  it('applies a birth after messages of its own session without seeing a gap (the births instance flushed later)', () => {
    const old = advance(EMPTY_WINDOW, [birth(), msg(1), msg(2)]);
    // the rebirth at 5,000 and its seq 1 and 2 were applied by another instance first
    const w = advance(old, [msg(1, 0, 5_001), msg(2, 0, 5_002), birth(5_000), msg(3, 0, 5_003), msg(4, 0, 5_004)]);
    expect(w).toMatchObject({ next: 5, ahead: [], gapSince: null, birthTs: 5_000 });
  });

  it('starts counting at the first message of a site whose birth the centre did not see', () => {
    expect(advance(EMPTY_WINDOW, [msg(200), msg(201), msg(203, 50)])).toMatchObject({ next: 202, ahead: [203], gapSince: 50 });
  });
});
