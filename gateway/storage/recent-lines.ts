/**
 * The newest lines of the SQLite spool, kept in memory as they were appended, so the forwarder
 * takes them without reading them back from spool.db (reading 20,000 rows per backlog request was
 * the largest share of the storage worker's time while a backlog drained: row arrays, strings and
 * their garbage). The rows stay in spool.db for durability; this is only a copy.
 *
 * Invariant: every line in the spool with id ≥ `low` is held here (ids only grow). Lines below
 * `low` (spooled before a restart, or pushed out by the memory bound) are read from the file.
 * Bounded by line bytes: the oldest lines leave memory first (they stay in the file).
 */
import type { SpoolItem } from './spool.ts';

export class RecentLines {
  /** Every spooled line with an id at or above this one is held here. */
  low: number;
  private readonly maxBytes: number;
  /** Ids in append order (strictly increasing), a slot per id from `head` on. */
  private ids: number[] = [];
  /** The item of each id, or undefined once it left the spool. */
  private items: Array<SpoolItem | undefined> = [];
  private head = 0;
  private bytes = 0;

  constructor(nextId: number, maxBytes: number) {
    this.low = nextId;
    this.maxBytes = maxBytes;
  }

  /** Lines just committed to the spool (ids increasing, all ≥ `low`). */
  add(items: readonly SpoolItem[]): void {
    if (this.maxBytes <= 0) {
      const last = items[items.length - 1];
      if (last) this.low = last.id + 1;
      return;
    }
    for (const item of items) {
      this.ids.push(item.id);
      this.items.push(item);
      this.bytes += item.size;
    }
    while (this.bytes > this.maxBytes && this.head < this.ids.length) this.evictHead();
    this.compact();
  }

  /** The lines with ids in [first, last] left the spool (accepted, dead-lettered). */
  removeRange(first: number, last: number): void {
    if (last < this.low) return;
    for (let i = this.lowerBound(first); i < this.ids.length && (this.ids[i] as number) <= last; i++) {
      const item = this.items[i];
      if (!item) continue;
      this.items[i] = undefined;
      this.bytes -= item.size;
    }
    while (this.head < this.ids.length && this.items[this.head] === undefined) this.head++;
    this.compact();
  }

  /** Every line with an id ≤ `id` left the spool (the overflow policy). */
  removeUpTo(id: number): void {
    while (this.head < this.ids.length && (this.ids[this.head] as number) <= id) {
      const item = this.items[this.head];
      if (item) this.bytes -= item.size;
      this.items[this.head] = undefined;
      this.head++;
    }
    if (id >= this.low) this.low = id + 1;
    this.compact();
  }

  /**
   * Append to `out` up to `limit` held lines with ids in [from, before), oldest first, skipping
   * those `skip` says are taken. Only ids ≥ `low` are held; the caller reads lower ones from the file.
   */
  take(out: SpoolItem[], limit: number, from: number, before: number, skip: (id: number) => boolean): void {
    for (let i = this.lowerBound(Math.max(from, this.low)); i < this.ids.length && out.length < limit; i++) {
      const item = this.items[i];
      if (!item) continue;
      if (item.id >= before) break;
      if (!skip(item.id)) out.push(item);
    }
  }

  private evictHead(): void {
    const item = this.items[this.head];
    if (item) this.bytes -= item.size;
    this.low = (this.ids[this.head] as number) + 1;
    this.items[this.head] = undefined;
    this.head++;
    while (this.head < this.ids.length && this.items[this.head] === undefined) {
      this.low = (this.ids[this.head] as number) + 1;
      this.head++;
    }
  }

  private compact(): void {
    if (this.head === this.ids.length) {
      this.ids = [];
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The first slot (from `head`) with an id ≥ `id`. */
  private lowerBound(id: number): number {
    let lo = this.head;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as number) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
