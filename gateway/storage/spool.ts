/**
 * The store-and-forward spool contract, shared by the in-memory and the SQLite spool (one contract
 * test suite runs against both).
 *
 * Items are lines of line protocol with ids that only grow. A sender `take`s a batch (oldest
 * first, skipping items already taken by a batch in flight), tries to deliver it, then `settle`s
 * it: each item is accepted (gone), rejected (moved to the dead-letter table with the server's
 * message) or kept (stays, in its place, to be taken again). An item leaves only by being
 * accepted, rejected, or dropped by the overflow policy; a batch never settled (crash) leaves its
 * items in the spool.
 *
 * Overflow: when the stored line bytes exceed `maxBytes`, the oldest items are dropped and
 * counted (`droppedLines`), never silently.
 */

export interface SpoolItem {
  readonly id: number;
  readonly line: string;
  /** Bytes of the line (UTF-8). */
  readonly size: number;
}

export interface SpoolBatch {
  /** Identifies the batch for `settle`. */
  readonly seq: number;
  readonly items: readonly SpoolItem[];
}

export interface Settlement {
  /** Delivered: the items leave the spool. */
  readonly accepted?: readonly number[];
  /** Refused by the server for their content: moved to the dead-letter table with the reason. */
  readonly rejected?: ReadonlyArray<{ readonly id: number; readonly reason: string }>;
  // Every other item of the batch is kept.
}

/** Item ids in [fromId, beforeId). */
export interface IdRange {
  readonly fromId?: number;
  readonly beforeId?: number;
}

export interface DeadLetter {
  readonly line: string;
  readonly reason: string;
  readonly at: number;
}

export interface SpoolStats {
  /** Lines waiting (including those in a batch in flight). */
  readonly depth: number;
  readonly bytes: number;
  readonly maxBytes: number;
  /** When the oldest waiting line was appended (epoch ms), or null when empty. */
  readonly oldestAppendedAt: number | null;
  /** The id the next appended line will get. */
  readonly nextId: number;
  /** Lines dropped by the overflow policy (since the spool was created). */
  readonly droppedLines: number;
  /** Lines moved to the dead-letter table (since the spool was created). */
  readonly deadLettered: number;
}

export interface Spool {
  /** Store lines; durable when this returns. Returns the id of the first line. */
  append(lines: readonly string[], now: number): number;
  /** Up to `limit` waiting items, oldest first, not in a batch in flight, within `range`. */
  take(limit: number, range?: IdRange): SpoolBatch;
  /** Settle a taken batch, atomically. Items of the batch not named are kept. */
  settle(batch: SpoolBatch, settlement: Settlement, now: number): void;
  /** Lines waiting with ids in `range`. */
  count(range?: IdRange): number;
  stats(): SpoolStats;
  deadLetters(limit: number): DeadLetter[];
  close(): void;
}

export function lineBytes(line: string): number {
  return Buffer.byteLength(line, 'utf8');
}
