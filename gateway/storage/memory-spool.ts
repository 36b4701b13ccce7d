/**
 * The spool contract in memory: for tests and for a gateway that may lose its backlog on restart.
 * Same semantics as the SQLite spool (one contract suite runs against both).
 */
import { lineBytes, type DeadLetter, type IdRange, type Settlement, type Spool, type SpoolBatch, type SpoolItem, type SpoolStats } from './spool.ts';

interface Stored extends SpoolItem {
  readonly appendedAt: number;
}

export class MemorySpool implements Spool {
  private items: Stored[] = [];
  private readonly inFlight = new Map<number, number>(); // item id → batch seq
  private readonly dead: DeadLetter[] = [];
  private readonly maxBytes: number;
  private nextId = 1;
  private seq = 0;
  private bytes = 0;
  private dropped = 0;
  private deadLettered = 0;

  constructor(options: { maxBytes: number }) {
    this.maxBytes = options.maxBytes;
  }

  append(lines: readonly string[], now: number): number {
    const first = this.nextId;
    for (const line of lines) {
      const size = lineBytes(line);
      this.items.push({ id: this.nextId++, line, size, appendedAt: now });
      this.bytes += size;
    }
    this.enforceBound();
    return first;
  }

  take(limit: number, range: IdRange = {}): SpoolBatch {
    const out: SpoolItem[] = [];
    for (const item of this.items) {
      if (out.length >= limit) break;
      if (range.fromId !== undefined && item.id < range.fromId) continue;
      if (range.beforeId !== undefined && item.id >= range.beforeId) break;
      if (this.inFlight.has(item.id)) continue;
      out.push({ id: item.id, line: item.line, size: item.size });
    }
    const batch = { seq: ++this.seq, items: out };
    for (const item of out) this.inFlight.set(item.id, batch.seq);
    return batch;
  }

  settle(batch: SpoolBatch, settlement: Settlement, now: number): void {
    const gone = new Set<number>(settlement.accepted ?? []);
    const reasons = new Map<number, string>();
    for (const r of settlement.rejected ?? []) {
      gone.add(r.id);
      reasons.set(r.id, r.reason);
    }
    const present = new Set(this.items.map((i) => i.id));
    for (const item of batch.items) {
      if (this.inFlight.get(item.id) === batch.seq) this.inFlight.delete(item.id);
      const reason = reasons.get(item.id);
      if (reason !== undefined && present.has(item.id)) {
        this.dead.push({ line: item.line, reason, at: now });
        this.deadLettered++;
      }
    }
    if (gone.size === 0) return;
    const inBatch = new Set(batch.items.map((i) => i.id));
    const kept: Stored[] = [];
    for (const item of this.items) {
      if (gone.has(item.id) && inBatch.has(item.id)) this.bytes -= item.size;
      else kept.push(item);
    }
    this.items = kept;
  }

  count(range: IdRange = {}): number {
    let n = 0;
    for (const item of this.items) {
      if (range.fromId !== undefined && item.id < range.fromId) continue;
      if (range.beforeId !== undefined && item.id >= range.beforeId) break;
      n++;
    }
    return n;
  }

  stats(): SpoolStats {
    return {
      depth: this.items.length,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      oldestAppendedAt: this.items[0]?.appendedAt ?? null,
      nextId: this.nextId,
      droppedLines: this.dropped,
      deadLettered: this.deadLettered,
    };
  }

  deadLetters(limit: number): DeadLetter[] {
    return this.dead.slice(-limit);
  }

  close(): void {}

  private enforceBound(): void {
    if (this.bytes <= this.maxBytes) return;
    let drop = 0;
    while (drop < this.items.length && this.bytes > this.maxBytes) {
      this.bytes -= (this.items[drop] as Stored).size;
      drop++;
    }
    for (const item of this.items.slice(0, drop)) this.inFlight.delete(item.id);
    this.items = this.items.slice(drop);
    this.dropped += drop;
  }
}
