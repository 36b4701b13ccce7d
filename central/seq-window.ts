/**
 * The Sparkplug `seq` check of one edge node's session, pure. Every NBIRTH, DBIRTH, NDATA and DDATA
 * of a session carries `seq` 0–255 (NBIRTH 0, then +1 per message, 255 followed by 0). Two centre
 * instances share the node's messages (shared subscription) and record what they saw in PostgreSQL
 * in batches, so messages are applied here out of order: a missing seq is a *gap* only when it is
 * still missing `graceMs` after a later seq was seen, or when the window of seqs seen ahead of it
 * fills up. A gap means messages were lost: the centre asks the node to be born again (NCMD
 * `Node Control/Rebirth`).
 *
 * Sessions are told apart by the payload timestamps the node stamps at publishing: a message
 * stamped before the session's NBIRTH belongs to an earlier birth and is ignored; a birth applied
 * after messages of its own session (stamped at or after it) starts the count at the next message
 * seen, since the messages before it were already counted against the older session.
 */

export interface SeqWindow {
  /** The next seq expected, or null when not known yet (no message since the birth was applied). */
  readonly next: number | null;
  /** Seqs seen ahead of `next` (each one means a seq before it is missing so far). */
  readonly ahead: readonly number[];
  /** When the oldest open gap was first seen (centre time, ms); null when there is none. */
  readonly gapSince: number | null;
  /** The payload timestamp of the session's NBIRTH (ms), 0 when unknown. */
  readonly birthTs: number;
  /** The latest payload timestamp applied (ms). */
  readonly lastTs: number;
}

export interface SeqEvent {
  readonly seq: number;
  /** An NBIRTH (seq 0): a new session, or a rebirth of the same one. */
  readonly birth: boolean;
  /** The payload timestamp (edge node clock, ms). */
  readonly ts: number;
  /** When the centre received it (ms). */
  readonly at: number;
}

/** Seqs seen ahead of a gap before it counts as a gap whatever the time. */
export const WINDOW_AHEAD = 96;

export const EMPTY_WINDOW: SeqWindow = { next: null, ahead: [], gapSince: null, birthTs: 0, lastTs: 0 };

function apply(w: SeqWindow, e: SeqEvent): SeqWindow {
  if (e.birth) {
    if (e.ts < w.birthTs) return w; // an older birth applied late
    // messages of this session applied before its birth: count on from the next one seen
    const next = w.lastTs >= e.ts && w.birthTs < e.ts ? null : (e.seq + 1) % 256;
    return { next, ahead: [], gapSince: null, birthTs: e.ts, lastTs: Math.max(w.lastTs, e.ts) };
  }
  if (e.ts < w.birthTs) return w; // a message of an earlier birth
  const lastTs = Math.max(w.lastTs, e.ts);
  if (w.next === null) return { ...w, next: (e.seq + 1) % 256, ahead: [], gapSince: null, lastTs };
  const d = (e.seq - w.next + 256) % 256;
  if (d >= 128) return { ...w, lastTs }; // behind: a duplicate or a late re-delivery
  if (d > 0) return w.ahead.includes(e.seq) ? { ...w, lastTs } : { ...w, ahead: [...w.ahead, e.seq], gapSince: w.gapSince ?? e.at, lastTs };
  let next = (w.next + 1) % 256;
  const ahead = new Set(w.ahead);
  while (ahead.delete(next)) next = (next + 1) % 256;
  return { ...w, next, ahead: [...ahead], gapSince: ahead.size === 0 ? null : w.gapSince, lastTs };
}

/** The window after `events`, in the order given. */
export function advance(w: SeqWindow, events: readonly SeqEvent[]): SeqWindow {
  return events.reduce(apply, w);
}

/** A gap that is still open after `graceMs`, or a full window: messages were lost. */
export function gapConfirmed(w: SeqWindow, now: number, graceMs: number): boolean {
  if (w.gapSince === null) return false;
  return w.ahead.length >= WINDOW_AHEAD || now - w.gapSince >= graceMs;
}

/** After asking for a rebirth: nothing expected until the NBIRTH (or the next message) comes. */
export function afterRebirthRequest(w: SeqWindow): SeqWindow {
  return { ...w, next: null, ahead: [], gapSince: null };
}
