import { describe, expect, it } from 'vitest';
import { advanceContiguous, decideReplay, NO_HOLE } from '../../central/journal-holes.ts';

const GRACE = 5_000;
const RETRY = 30_000;

describe('holes in a site journal at the centre', () => {
  it('moves the contiguous seq over rows that follow without a gap, and stops at the first gap', () => {
    expect(advanceContiguous(0, [1, 2, 3])).toBe(3);
    expect(advanceContiguous(0, [1, 2, 4, 5])).toBe(2);
    expect(advanceContiguous(3, [5, 6])).toBe(3);
    expect(advanceContiguous(0, [])).toBe(0);
  });

  it('asks for nothing while the journal is contiguous up to what the site declared', () => {
    const d = decideReplay(NO_HOLE, { storedAbove: [1, 2, 3], declared: 3 }, 1_000, GRACE, RETRY);
    expect(d).toEqual({ state: { contiguous: 3, holeFrom: null, holeSince: null, replayAt: null }, replayFrom: null, replayTo: null });
  });

  it('a stored seq above a missing one is a hole: asked for after the grace, from the first missing seq', () => {
    const first = decideReplay(NO_HOLE, { storedAbove: [1, 2, 4], declared: null }, 1_000, GRACE, RETRY);
    expect(first.replayFrom).toBeNull(); // row 3 may still be on its way through the other instance
    expect(first.state).toMatchObject({ contiguous: 2, holeFrom: 3, holeSince: 1_000 });
    const later = decideReplay(first.state, { storedAbove: [4], declared: null }, 1_000 + GRACE, GRACE, RETRY);
    expect(later.replayFrom).toBe(3);
    expect(later.replayTo).toBe(3); // the hole alone: row 4 is stored
    expect(later.state.replayAt).toBe(1_000 + GRACE);
  });

  it('a hole filled within the grace asks for nothing', () => {
    const first = decideReplay(NO_HOLE, { storedAbove: [1, 2, 4], declared: null }, 1_000, GRACE, RETRY);
    const filled = decideReplay(first.state, { storedAbove: [3, 4], declared: null }, 2_000, GRACE, RETRY);
    expect(filled).toEqual({ state: { contiguous: 4, holeFrom: null, holeSince: null, replayAt: null }, replayFrom: null, replayTo: null });
  });

  it('the seq an NBIRTH declares beyond the stored rows is a hole at the tail (the last rows were lost)', () => {
    const first = decideReplay({ contiguous: 6, holeFrom: null, holeSince: null, replayAt: null }, { storedAbove: [], declared: 9 }, 0, GRACE, RETRY);
    expect(first.state.holeFrom).toBe(7);
    expect(decideReplay(first.state, { storedAbove: [], declared: 9 }, GRACE, GRACE, RETRY)).toMatchObject({ replayFrom: 7, replayTo: null });
  });

  it('a site with no row at the centre yet is asked from seq 1 for what it declared', () => {
    const first = decideReplay(NO_HOLE, { storedAbove: [], declared: 2 }, 0, GRACE, RETRY);
    expect(decideReplay(first.state, { storedAbove: [], declared: 2 }, GRACE, GRACE, RETRY).replayFrom).toBe(1);
  });

  it('asks for the first hole only, up to the next stored row', () => {
    const first = decideReplay(NO_HOLE, { storedAbove: [1, 4, 5, 7], declared: 9 }, 0, GRACE, RETRY);
    expect(decideReplay(first.state, { storedAbove: [4, 5, 7], declared: 9 }, GRACE, GRACE, RETRY)).toMatchObject({ replayFrom: 2, replayTo: 3 });
  });

  it('asks again only after the retry interval while the same hole stays', () => {
    let s = decideReplay(NO_HOLE, { storedAbove: [2], declared: null }, 0, GRACE, RETRY).state;
    const asked = decideReplay(s, { storedAbove: [2], declared: null }, GRACE, GRACE, RETRY);
    expect(asked.replayFrom).toBe(1);
    s = asked.state;
    expect(decideReplay(s, { storedAbove: [2], declared: null }, GRACE + RETRY - 1, GRACE, RETRY).replayFrom).toBeNull();
    expect(decideReplay(s, { storedAbove: [2], declared: null }, GRACE + RETRY, GRACE, RETRY).replayFrom).toBe(1);
  });

  it('a new hole after a replay waits its own grace, not the retry interval', () => {
    const asked = decideReplay({ contiguous: 0, holeFrom: 1, holeSince: 0, replayAt: null }, { storedAbove: [2], declared: null }, GRACE, GRACE, RETRY);
    expect(asked.replayFrom).toBe(1);
    const next = decideReplay(asked.state, { storedAbove: [1, 2, 4], declared: null }, GRACE + 100, GRACE, RETRY);
    expect(next.state).toMatchObject({ contiguous: 2, holeFrom: 3, holeSince: GRACE + 100 });
    expect(decideReplay(next.state, { storedAbove: [4], declared: null }, 2 * GRACE + 100, GRACE, RETRY).replayFrom).toBe(3);
  });
});
