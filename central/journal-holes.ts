/**
 * Holes in a site's alarm journal at the centre, pure (journal-replay.ts applies it in PostgreSQL).
 * A site's journal rows carry seq 1, 2, 3, ... (the site's own alarm journal). The centre keeps the
 * highest seq up to which it holds every row (`contiguous`, 0 when it holds none from seq 1). A
 * *hole* is a seq after `contiguous` that the centre should hold: a row stored above it, or a seq up
 * to the one the site declared in its latest NBIRTH (`Alarm/Journal Seq`). Rows of two centre
 * instances are stored out of order, so a hole is asked for (NCMD `Alarm/Journal Replay` from
 * `contiguous + 1` up to the seq before the next stored row, or open-ended at the tail) only when it is still there `graceMs` after it was first seen, and again every
 * `retryMs` while it stays.
 */

export interface JournalHoleState {
  /** Every row 1..contiguous is stored. */
  readonly contiguous: number;
  /** The first missing seq of the open hole, null when there is none. */
  readonly holeFrom: number | null;
  /** When that hole was first seen (centre time, ms). */
  readonly holeSince: number | null;
  /** When a replay was last asked for (ms), null never. */
  readonly replayAt: number | null;
}

export interface JournalFacts {
  /** The stored seqs above `contiguous`, ascending. */
  readonly storedAbove: readonly number[];
  /** The site's newest journal seq as its latest NBIRTH declared it (null: not declared). */
  readonly declared: number | null;
}

export interface JournalDecision {
  readonly state: JournalHoleState;
  /** Ask the site for its rows from this seq (null: nothing to ask now). */
  readonly replayFrom: number | null;
  /** ... up to this one (the seq before the next stored row); null: up to the site's newest. */
  readonly replayTo: number | null;
}

export const NO_HOLE: JournalHoleState = { contiguous: 0, holeFrom: null, holeSince: null, replayAt: null };

/** Move `contiguous` over the stored seqs that follow it without a gap. */
export function advanceContiguous(contiguous: number, storedAbove: readonly number[]): number {
  let c = contiguous;
  for (const s of storedAbove) {
    if (s === c + 1) c = s;
    else if (s > c + 1) break;
  }
  return c;
}

export function decideReplay(prev: JournalHoleState, facts: JournalFacts, now: number, graceMs: number, retryMs: number): JournalDecision {
  const contiguous = advanceContiguous(prev.contiguous, facts.storedAbove);
  const highestStored = facts.storedAbove.length > 0 ? Math.max(...facts.storedAbove) : contiguous;
  const wanted = Math.max(highestStored, facts.declared ?? 0);
  if (wanted <= contiguous) return { state: { contiguous, holeFrom: null, holeSince: null, replayAt: prev.replayAt }, replayFrom: null, replayTo: null };
  const holeFrom = contiguous + 1;
  // the same hole keeps its age; a new one (or what is left of one partly filled) starts its grace now
  const holeSince = prev.holeFrom === holeFrom && prev.holeSince !== null ? prev.holeSince : now;
  const due = now - holeSince >= graceMs && (prev.replayAt === null || now - prev.replayAt >= retryMs || prev.replayAt < holeSince);
  const nextStored = facts.storedAbove.find((seq) => seq > holeFrom);
  return { state: { contiguous, holeFrom, holeSince, replayAt: due ? now : prev.replayAt }, replayFrom: due ? holeFrom : null, replayTo: due && nextStored !== undefined ? nextStored - 1 : null };
}
