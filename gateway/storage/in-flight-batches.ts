/**
 * Which spool items are in a batch in flight, kept per batch (a handful at a time: the live lane's
 * and the backlog lane's requests) as the batch's ids in increasing order, instead of one map entry
 * per item: taking and settling a 20,000-line backlog batch then costs a few binary searches and
 * no per-line map insert and delete.
 *
 * A batch is *dense* when it holds every row of the spool between its first and last id (its take
 * skipped nothing in flight). Ids only grow, so no row can appear inside that span later: a take
 * may step over the whole span without reading it.
 */
interface Taken {
  /** Item ids, strictly increasing (a take reads oldest first). */
  readonly ids: readonly number[];
  readonly dense: boolean;
}

export interface IdSpan {
  readonly first: number;
  readonly last: number;
}

export class InFlightBatches {
  private readonly batches = new Map<number, Taken>();

  add(seq: number, ids: readonly number[], dense: boolean): void {
    if (ids.length > 0) this.batches.set(seq, { ids, dense });
  }

  /** The batch was settled: its items are no longer in flight. */
  release(seq: number): void {
    this.batches.delete(seq);
  }

  has(id: number): boolean {
    for (const { ids } of this.batches.values()) {
      if (id < (ids[0] as number) || id > (ids[ids.length - 1] as number)) continue;
      if (ids[lowerBound(ids, id)] === id) return true;
    }
    return false;
  }

  /** Items in flight with ids in [from, before). */
  countIn(from: number, before: number): number {
    let n = 0;
    for (const { ids } of this.batches.values()) n += lowerBound(ids, before) - lowerBound(ids, from);
    return n;
  }

  /** The span of the dense batch nearest at or after `from` (it may contain `from`), if any. */
  denseSpanFrom(from: number): IdSpan | undefined {
    let best: IdSpan | undefined;
    for (const { ids, dense } of this.batches.values()) {
      if (!dense) continue;
      const first = ids[0] as number;
      const last = ids[ids.length - 1] as number;
      if (last < from) continue;
      if (!best || first < best.first) best = { first, last };
    }
    return best;
  }

  /** Items with ids up to `id` left the spool (the overflow policy): forget them. */
  dropUpTo(id: number): void {
    for (const [seq, taken] of this.batches) {
      if ((taken.ids[0] as number) > id) continue;
      const rest = taken.ids.slice(lowerBound(taken.ids, id + 1));
      if (rest.length === 0) this.batches.delete(seq);
      else this.batches.set(seq, { ids: rest, dense: taken.dense });
    }
  }
}

/** The first index whose id is ≥ `id` (ids increasing). */
function lowerBound(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as number) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
