/**
 * The durable spool: lines of line protocol in SQLite (data/spool.db, WAL, synchronous=FULL).
 * `append` commits before it returns, so `kill -9` loses nothing appended; `settle` deletes the
 * accepted lines and moves the rejected ones to `dead_letters` in one transaction. Which items are
 * in flight is kept in memory only: after a crash every unsettled line is simply waiting again.
 *
 * Ids come from AUTOINCREMENT, so they only grow, even after the spool was emptied.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction, openSqlite } from '../platform/sqlite-file.ts';
import { MultiRowInsert } from '../platform/multi-row-insert.ts';
import type { WalCheckpointer } from '../platform/wal-checkpointer.ts';
import { RecentLines } from './recent-lines.ts';
import { InFlightBatches } from './in-flight-batches.ts';
import { lineBytes, type DeadLetter, type IdRange, type Settlement, type Spool, type SpoolBatch, type SpoolItem, type SpoolStats } from './spool.ts';

const MAX_ID = Number.MAX_SAFE_INTEGER;
/** Line bytes of the newest spooled lines kept in memory for `take` (see recent-lines.ts). */
export const SPOOL_MEMORY_BYTES = 16 * 1024 * 1024;
/**
 * spool.db's write-ahead log is folded into the file every this many pages (SQLite's default is
 * 1,000): a drained line is inserted and deleted again soon after, so the same pages are written
 * over and over; folding them less often copies (and fsyncs) each page once for many rewrites.
 * The log is truncated back to SPOOL_WAL_KEEP_BYTES after each fold.
 */
export const SPOOL_WAL_AUTOCHECKPOINT_PAGES = 16_000;
const SPOOL_WAL_KEEP_BYTES = 16 * 1024 * 1024;

export class SqliteSpool implements Spool {
  private readonly db: DatabaseSync;
  private readonly maxBytes: number;
  /** An append's lines, in multi-row INSERTs. */
  private readonly insert: MultiRowInsert;
  private readonly select: StatementSync;
  private readonly remove: StatementSync;
  private readonly removeRange: StatementSync;
  private readonly deadInsert: StatementSync;
  private readonly countRange: StatementSync;
  private readonly counterAdd: StatementSync;
  private readonly inFlight = new InFlightBatches();
  private seq = 0;
  /** Every id up to this one was dropped by the overflow policy (in this process). */
  private droppedUpTo = 0;
  private bytes: number;
  private depth: number;
  private dropped: number;
  private deadLettered: number;
  private readonly recent: RecentLines;

  /** `FULL` (default): each append fsyncs. `NORMAL`: survives a process kill, not a power cut (the storage worker). */
  private readonly appendSync: 'FULL' | 'NORMAL';

  /**
   * `memoryBytes`: line bytes of the newest lines kept in memory, so `take` does not read them back
   * (default SPOOL_MEMORY_BYTES; 0 reads every line from the file).
   */
  private readonly file: string;
  private readonly checkpointer: WalCheckpointer | undefined;

  /** `checkpointer`: fold the write-ahead log on that thread after each commit (the storage worker). */
  constructor(file: string, options: { maxBytes: number; appendSync?: 'FULL' | 'NORMAL'; memoryBytes?: number; checkpointer?: WalCheckpointer }) {
    this.file = file;
    this.checkpointer = options.checkpointer;
    this.maxBytes = options.maxBytes;
    this.appendSync = options.appendSync ?? 'FULL';
    this.db = openSqlite(file);
    this.db.exec(`PRAGMA synchronous = ${this.appendSync}`);
    this.db.exec(`PRAGMA wal_autocheckpoint = ${SPOOL_WAL_AUTOCHECKPOINT_PAGES}`);
    this.db.exec(`PRAGMA journal_size_limit = ${SPOOL_WAL_KEEP_BYTES}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS spool (
        id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, size INTEGER NOT NULL, appended_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS spool_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT OR IGNORE INTO spool_counters (name, value) VALUES ('dropped_lines', 0), ('dead_lettered', 0);
    `);
    this.insert = new MultiRowInsert(this.db, 'spool', ['line', 'size', 'appended_at']);
    this.select = this.db.prepare('SELECT id, line, size FROM spool WHERE id >= ? AND id < ? ORDER BY id LIMIT ?');
    this.select.setReturnArrays(true);
    this.remove = this.db.prepare('DELETE FROM spool WHERE id = ?');
    this.removeRange = this.db.prepare('DELETE FROM spool WHERE id >= ? AND id <= ?');
    this.deadInsert = this.db.prepare('INSERT INTO dead_letters (line, reason, at) VALUES (?, ?, ?)');
    this.countRange = this.db.prepare('SELECT COUNT(*) AS n FROM spool WHERE id >= ? AND id < ?');
    this.counterAdd = this.db.prepare('UPDATE spool_counters SET value = value + ? WHERE name = ?');
    const totals = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM spool').get() as { n: number; bytes: number };
    this.depth = Number(totals.n);
    this.bytes = Number(totals.bytes);
    this.dropped = this.counter('dropped_lines');
    this.deadLettered = this.counter('dead_lettered');
    this.recent = new RecentLines(this.nextId(), options.memoryBytes ?? SPOOL_MEMORY_BYTES);
  }

  append(lines: readonly string[], now: number): number {
    if (lines.length === 0) return this.nextId();
    const items: SpoolItem[] = [];
    inTransaction(this.db, () => {
      // AUTOINCREMENT gives the rows of one statement consecutive ids, the last one is lastInsertRowid
      const values: Array<string | number> = [];
      for (const line of lines) values.push(line, lineBytes(line), now);
      this.insert.run(values, (last, rows, first) => {
        for (let k = first; k < first + rows; k++) {
          const size = values[3 * k + 1] as number;
          items.push({ id: last - rows + 1 + (k - first), line: lines[k] as string, size });
          this.bytes += size;
        }
      });
      this.depth += lines.length;
      if (this.bytes > this.maxBytes) this.dropOldest();
    });
    // after the COMMIT only: a rolled-back append is not in memory either
    this.recent.add(items.filter((i) => i.id > this.droppedUpTo));
    this.checkpointer?.request(this.file);
    return (items[0] as SpoolItem).id;
  }

  take(limit: number, range: IdRange = {}): SpoolBatch {
    const out: SpoolItem[] = [];
    const from = range.fromId ?? 0;
    const before = range.beforeId ?? MAX_ID;
    // lines below `recent.low` only from the file, the newer ones from memory
    let dense = true; // no row of the span this batch covers is left out (see InFlightBatches)
    if (from < this.recent.low) dense = this.takeFromFile(out, limit, from, Math.min(before, this.recent.low));
    if (out.length < limit && before > this.recent.low) {
      this.recent.take(out, limit, from, before, (id) => {
        const taken = this.inFlight.has(id);
        if (taken) dense = false;
        return taken;
      });
    }
    const batch = { seq: ++this.seq, items: out };
    this.inFlight.add(batch.seq, out.map((i) => i.id), dense);
    return batch;
  }

  /**
   * Oldest rows in [start, before) not in flight. The span of a batch in flight that holds every
   * row of it is stepped over without reading it (with two backlog requests out, the second take
   * would otherwise read and drop the first one's 20,000 rows). Returns false when rows in flight
   * had to be read and skipped one by one (the batch taken then covers rows it does not hold).
   */
  private takeFromFile(out: SpoolItem[], limit: number, start: number, before: number): boolean {
    let dense = true;
    let from = start;
    while (out.length < limit && from < before) {
      const span = this.inFlight.denseSpanFrom(from);
      if (span && span.first <= from) {
        if (out.length > 0) dense = false;
        from = span.last + 1;
        continue;
      }
      const end = span ? Math.min(before, span.first) : before;
      if (this.readRows(out, limit, from, end)) dense = false;
      from = end;
    }
    return dense;
  }

  /** Rows in [start, before) into `out` up to `limit`; true when rows in flight were skipped. */
  private readRows(out: SpoolItem[], limit: number, start: number, before: number): boolean {
    let from = start;
    let skipped = false;
    // Rows to read past the ones in flight: only those in this range count (the other lane's
    // batches lie outside it), so a take reads about `limit` rows, not `limit` + all in flight.
    const skip = this.inFlight.countIn(from, before);
    while (out.length < limit) {
      const want = limit - out.length;
      const rows = this.select.all(from, before, want + skip) as unknown as Array<[number, string, number]>;
      for (const [id, line, size] of rows) {
        if (skip > 0 && this.inFlight.has(id)) {
          skipped = true;
          continue;
        }
        if (out.length < limit) out.push({ id, line, size });
      }
      if (rows.length < want + skip) break;
      from = (rows[rows.length - 1] as [number, string, number])[0] + 1;
    }
    return skipped;
  }

  settle(batch: SpoolBatch, settlement: Settlement, now: number): void {
    const accepted = acceptedOf(batch, settlement.accepted ?? []);
    const rejected = new Map((settlement.rejected ?? []).map((r) => [r.id, r.reason]));
    // A settle lost to a power cut only means a batch is sent again (InfluxDB overwrites the same
    // points), so it commits without its own fsync; the next append's fsync covers it. A process
    // crash loses nothing either way (WAL in the OS cache).
    this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      this.settleRows(batch, accepted, rejected, now);
    } finally {
      this.db.exec(`PRAGMA synchronous = ${this.appendSync}`);
    }
    this.inFlight.release(batch.seq);
  }

  private settleRows(batch: SpoolBatch, accepted: { has(id: number): boolean }, rejected: ReadonlyMap<number, string>, now: number): void {
    const gone: number[] = []; // [first, last] pairs of ids deleted, out of memory after the COMMIT
    inTransaction(this.db, () => {
      let deadCount = 0;
      // Accepted items with consecutive ids go in one range delete (the usual case: a whole batch).
      let runFirst = -1;
      let runLast = -1;
      let runBytes = 0;
      const flush = (): void => {
        if (runFirst < 0) return;
        const removed = Number(this.removeRange.run(runFirst, runLast).changes);
        this.bytes -= runBytes;
        this.depth -= removed;
        gone.push(runFirst, runLast);
        runFirst = -1;
      };
      for (const item of batch.items) {
        const reason = rejected.get(item.id);
        const present = item.id > this.droppedUpTo; // the overflow policy deletes every id up to droppedUpTo
        if (!accepted.has(item.id) && reason === undefined) continue;
        if (!present) continue;
        if (reason === undefined) {
          if (runFirst >= 0 && item.id === runLast + 1) {
            runLast = item.id;
            runBytes += item.size;
          } else {
            flush();
            runFirst = item.id;
            runLast = item.id;
            runBytes = item.size;
          }
          continue;
        }
        flush();
        if (Number(this.remove.run(item.id).changes) === 0) continue;
        gone.push(item.id, item.id);
        this.bytes -= item.size;
        this.depth--;
        this.deadInsert.run(item.line, reason, now);
        deadCount++;
      }
      flush();
      if (deadCount > 0) {
        this.counterAdd.run(deadCount, 'dead_lettered');
        this.deadLettered += deadCount;
      }
    });
    for (let i = 0; i < gone.length; i += 2) this.recent.removeRange(gone[i] as number, gone[i + 1] as number);
    if (gone.length > 0) this.checkpointer?.request(this.file);
  }

  count(range: IdRange = {}): number {
    return Number((this.countRange.get(range.fromId ?? 0, range.beforeId ?? MAX_ID) as { n: number }).n);
  }

  stats(): SpoolStats {
    const oldest = this.db.prepare('SELECT appended_at FROM spool ORDER BY id LIMIT 1').get() as { appended_at: number } | undefined;
    return {
      depth: this.depth,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      oldestAppendedAt: oldest ? Number(oldest.appended_at) : null,
      nextId: this.nextId(),
      droppedLines: this.dropped,
      deadLettered: this.deadLettered,
    };
  }

  deadLetters(limit: number): DeadLetter[] {
    const rows = this.db.prepare('SELECT line, reason, at FROM dead_letters ORDER BY id DESC LIMIT ?').all(limit) as Array<{ line: string; reason: string; at: number }>;
    return rows.reverse().map((r) => ({ line: r.line, reason: r.reason, at: Number(r.at) }));
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private nextId(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'spool'").get() as { seq: number } | undefined;
    return (row ? Number(row.seq) : 0) + 1;
  }

  private counter(name: string): number {
    return Number((this.db.prepare('SELECT value FROM spool_counters WHERE name = ?').get(name) as { value: number }).value);
  }

  /** Inside the append transaction: delete the oldest lines until the bytes fit. */
  private dropOldest(): void {
    const excess = this.bytes - this.maxBytes;
    let freed = 0;
    let lines = 0;
    let lastId = 0;
    const walk = this.db.prepare('SELECT id, size FROM spool ORDER BY id').iterate() as Iterable<{ id: number; size: number }>;
    for (const row of walk) {
      freed += Number(row.size);
      lines++;
      lastId = Number(row.id);
      if (freed >= excess) break;
    }
    this.db.prepare('DELETE FROM spool WHERE id <= ?').run(lastId);
    this.droppedUpTo = Math.max(this.droppedUpTo, lastId);
    this.bytes -= freed;
    this.depth -= lines;
    this.dropped += lines;
    this.counterAdd.run(lines, 'dropped_lines');
    this.inFlight.dropUpTo(lastId);
    this.recent.removeUpTo(lastId);
  }
}

/**
 * The accepted ids of a settlement as a lookup. The usual settlement accepts the whole batch, in
 * its order: that is seen by comparing the two arrays, without a set of 20,000 ids per request.
 */
function acceptedOf(batch: SpoolBatch, accepted: readonly number[]): { has(id: number): boolean } {
  const items = batch.items;
  let whole = accepted.length === items.length;
  for (let k = 0; whole && k < items.length; k++) whole = accepted[k] === (items[k] as SpoolItem).id;
  return whole ? { has: () => true } : new Set(accepted);
}
