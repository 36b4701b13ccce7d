/**
 * The durable spool: lines of line protocol in SQLite (data/spool.db, WAL, synchronous=FULL), a row
 * per group of lines appended together (see spool-groups.ts). `append` commits before it returns,
 * so `kill -9` loses nothing appended; `settle` deletes the accepted lines and moves the rejected
 * ones to `dead_letters` in one transaction. Which items are in flight is kept in memory only: after
 * a crash every unsettled line is simply waiting again.
 *
 * Ids only grow, even after the spool was emptied: a row is keyed by its last line's id, so
 * AUTOINCREMENT's counter holds the last id handed out.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction, openSqlite } from '../platform/sqlite-file.ts';
import type { WalCheckpointer } from '../platform/wal-checkpointer.ts';
import { RecentLines } from './recent-lines.ts';
import { InFlightBatches } from './in-flight-batches.ts';
import { openGroupTables, decodeGroup, decodeRow, encodeGroup, GROUP_MAX_LINES, GROUPS_TABLE, groupSeq, lineSizesOf, type GroupLines, type StoredRow } from './spool-groups.ts';
import { lineBytes, type DeadLetter, type IdRange, type Settlement, type Spool, type SpoolBatch, type SpoolItem, type SpoolStats } from './spool.ts';

const MAX_ID = Number.MAX_SAFE_INTEGER;
/** Rows read per query while a take reads from the file. */
const ROWS_PER_READ = 8;
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

/** A row: the id of its last line, its line count, their bytes, the lines (JSON). */
type GroupRow = [last: number, n: number, size: number, text: string];

export class SqliteSpool implements Spool {
  private readonly db: DatabaseSync;
  private readonly maxBytes: number;
  private readonly insertGroup: StatementSync;
  /** Rows from an id on, oldest first. */
  private readonly selectFrom: StatementSync;
  /** Keys and line counts of the rows keyed in [a, b]. */
  private readonly keysIn: StatementSync;
  /** Key and line count of the first row keyed after an id. */
  private readonly keyAfter: StatementSync;
  private readonly rowAt: StatementSync;
  private readonly remove: StatementSync;
  private readonly removeRange: StatementSync;
  private readonly deadInsert: StatementSync;
  private readonly countRange: StatementSync;
  private readonly counterAdd: StatementSync;
  private readonly oldest: StatementSync;
  private readonly inFlight = new InFlightBatches();
  private seq = 0;
  /** The id the next appended line gets. */
  private next: number;
  /** Every id up to this one was dropped by the overflow policy (in this process). */
  private droppedUpTo = 0;
  private bytes: number;
  private depth: number;
  private dropped: number;
  private deadLettered: number;
  private readonly recent: RecentLines;

  /** `FULL` (default): each append fsyncs. `NORMAL`: survives a process kill, not a power cut (the storage worker). */
  private readonly appendSync: 'FULL' | 'NORMAL';
  private readonly file: string;
  private readonly checkpointer: WalCheckpointer | undefined;

  /**
   * `memoryBytes`: line bytes of the newest lines kept in memory, so `take` does not read them back
   * (default SPOOL_MEMORY_BYTES; 0 reads every line from the file). `checkpointer`: fold the
   * write-ahead log on that thread after each commit (the storage worker).
   */
  constructor(file: string, options: { maxBytes: number; appendSync?: 'FULL' | 'NORMAL'; memoryBytes?: number; checkpointer?: WalCheckpointer }) {
    this.file = file;
    this.checkpointer = options.checkpointer;
    this.maxBytes = options.maxBytes;
    this.appendSync = options.appendSync ?? 'FULL';
    this.db = openSqlite(file);
    this.db.exec(`PRAGMA synchronous = ${this.appendSync}`);
    this.db.exec(`PRAGMA wal_autocheckpoint = ${SPOOL_WAL_AUTOCHECKPOINT_PAGES}`);
    this.db.exec(`PRAGMA journal_size_limit = ${SPOOL_WAL_KEEP_BYTES}`);
    openGroupTables(this.db);
    const t = GROUPS_TABLE;
    const arrays = (sql: string): StatementSync => {
      const statement = this.db.prepare(sql);
      statement.setReturnArrays(true);
      return statement;
    };
    this.insertGroup = this.db.prepare(`INSERT INTO ${t} (id, n, size, appended_at, lines) VALUES (?, ?, ?, ?, ?)`);
    this.selectFrom = arrays(`SELECT id, n, size, lines FROM ${t} WHERE id >= ? ORDER BY id LIMIT ?`);
    this.keysIn = arrays(`SELECT id, n FROM ${t} WHERE id >= ? AND id <= ? ORDER BY id`);
    this.keyAfter = arrays(`SELECT id, n FROM ${t} WHERE id > ? ORDER BY id LIMIT 1`);
    this.rowAt = arrays(`SELECT size, appended_at, lines FROM ${t} WHERE id = ?`);
    this.remove = this.db.prepare(`DELETE FROM ${t} WHERE id = ?`);
    this.removeRange = this.db.prepare(`DELETE FROM ${t} WHERE id >= ? AND id <= ?`);
    this.deadInsert = this.db.prepare('INSERT INTO dead_letters (line, reason, at) VALUES (?, ?, ?)');
    this.countRange = this.db.prepare(`SELECT COALESCE(SUM(MIN(id, ?) - MAX(id - n + 1, ?) + 1), 0) AS n FROM ${t} WHERE id >= ? AND id - n + 1 < ?`);
    this.counterAdd = this.db.prepare('UPDATE spool_counters SET value = value + ? WHERE name = ?');
    this.oldest = this.db.prepare(`SELECT appended_at FROM ${t} ORDER BY id LIMIT 1`);
    const totals = this.db.prepare(`SELECT COALESCE(SUM(n), 0) AS n, COALESCE(SUM(size), 0) AS bytes FROM ${t}`).get() as { n: number; bytes: number };
    this.depth = Number(totals.n);
    this.bytes = Number(totals.bytes);
    this.dropped = this.counter('dropped_lines');
    this.deadLettered = this.counter('dead_lettered');
    this.next = groupSeq(this.db) + 1;
    this.recent = new RecentLines(this.next, options.memoryBytes ?? SPOOL_MEMORY_BYTES);
  }

  append(lines: readonly string[], now: number): number {
    const first = this.next;
    if (lines.length === 0) return first;
    const items: SpoolItem[] = new Array<SpoolItem>(lines.length);
    let total = 0;
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k] as string;
      const size = lineBytes(line);
      items[k] = { id: first + k, line, size };
      total += size;
    }
    inTransaction(this.db, () => {
      for (let start = 0; start < lines.length; start += GROUP_MAX_LINES) {
        const end = Math.min(lines.length, start + GROUP_MAX_LINES);
        let size = 0;
        for (let k = start; k < end; k++) size += (items[k] as SpoolItem).size;
        const group = start === 0 && end === lines.length ? lines : lines.slice(start, end);
        this.insertGroup.run(first + end - 1, end - start, size, now, encodeGroup(group));
      }
      this.bytes += total;
      this.depth += lines.length;
      if (this.bytes > this.maxBytes) this.dropOldest();
    });
    // after the COMMIT only: a rolled-back append hands out no ids and is not in memory either
    this.next = first + lines.length;
    this.recent.add(this.droppedUpTo >= first ? items.filter((i) => i.id > this.droppedUpTo) : items);
    this.checkpointer?.request(this.file);
    return first;
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

  /** Lines in [start, before) into `out` up to `limit`; true when lines in flight were skipped. */
  private readRows(out: SpoolItem[], limit: number, start: number, before: number): boolean {
    // only lines in flight in this range can be met (the other lane's batches lie outside it)
    const mayMeetTaken = this.inFlight.countIn(start, before) > 0;
    let skipped = false;
    let from = start;
    while (out.length < limit) {
      const rows = this.selectFrom.all(from, ROWS_PER_READ) as unknown as GroupRow[];
      for (const [last, n, size, text] of rows) {
        const first = last - n + 1;
        if (first >= before) return skipped;
        const lines = decodeGroup(text, n, last);
        const sizeOf = lineSizesOf(lines, size);
        const end = Math.min(last + 1, before);
        for (let id = Math.max(first, from); id < end && out.length < limit; id++) {
          if (mayMeetTaken && this.inFlight.has(id)) {
            skipped = true;
            continue;
          }
          out.push({ id, line: lines[id - first] as string, size: sizeOf(id - first) });
        }
        if (out.length >= limit || end === before) return skipped;
        from = last + 1;
      }
      if (rows.length < ROWS_PER_READ) break;
    }
    return skipped;
  }

  settle(batch: SpoolBatch, settlement: Settlement, now: number): void {
    const accepted = acceptedOf(batch, settlement.accepted ?? []);
    const rejected = new Map((settlement.rejected ?? []).map((r) => [r.id, r.reason]));
    const leaving: SpoolItem[] = [];
    for (const item of batch.items) {
      // the overflow policy deletes every id up to droppedUpTo
      if (item.id > this.droppedUpTo && (accepted.has(item.id) || rejected.has(item.id))) leaving.push(item);
    }
    if (leaving.length > 0) {
      // A settle lost to a power cut only means a batch is sent again (InfluxDB overwrites the same
      // points), so it commits without its own fsync; the next append's fsync covers it. A process
      // crash loses nothing either way (WAL in the OS cache).
      this.db.exec('PRAGMA synchronous = NORMAL');
      try {
        this.settleRows(leaving, rejected, now);
      } finally {
        this.db.exec(`PRAGMA synchronous = ${this.appendSync}`);
      }
    }
    this.inFlight.release(batch.seq);
  }

  /** Delete the leaving lines (ids increasing) from their rows; the refused ones to the dead letters. */
  private settleRows(leaving: readonly SpoolItem[], rejected: ReadonlyMap<number, string>, now: number): void {
    const left: SpoolItem[] = []; // the leaving lines found in a row (all of them, unless the file was changed under us)
    let dead = 0;
    inTransaction(this.db, () => {
      const lastId = (leaving[leaving.length - 1] as SpoolItem).id;
      const rows = this.keysIn.all((leaving[0] as SpoolItem).id, lastId) as unknown as Array<[number, number]>;
      const after = this.keyAfter.get(lastId) as unknown as [number, number] | undefined;
      if (after && after[0] - after[1] < lastId) rows.push(after); // the row holding the last id, keyed past it
      // Rows that leave whole, one after the other, go in one range delete (the usual case).
      let wholeFrom = -1;
      let wholeTo = -1;
      const flush = (): void => {
        if (wholeFrom >= 0) this.removeRange.run(wholeFrom, wholeTo);
        wholeFrom = -1;
      };
      let i = 0;
      for (const [last, n] of rows) {
        const first = last - n + 1;
        while (i < leaving.length && (leaving[i] as SpoolItem).id < first) i++;
        const from = i;
        while (i < leaving.length && (leaving[i] as SpoolItem).id <= last) left.push(leaving[i++] as SpoolItem);
        if (i - from === n) {
          if (wholeFrom < 0) wholeFrom = last;
          wholeTo = last;
          continue;
        }
        flush();
        if (i > from) this.rewrite(last, n, leaving, from, i);
      }
      flush();
      for (const item of left) {
        const reason = rejected.size > 0 ? rejected.get(item.id) : undefined;
        if (reason === undefined) continue;
        this.deadInsert.run(item.line, reason, now);
        dead++;
      }
      if (dead > 0) this.counterAdd.run(dead, 'dead_lettered');
    });
    // after the COMMIT only: the counts and the memory copy follow what the file holds
    this.deadLettered += dead;
    let runFirst = -1;
    let runLast = -1;
    for (const item of left) {
      this.bytes -= item.size;
      if (item.id !== runLast + 1) {
        if (runFirst >= 0) this.recent.removeRange(runFirst, runLast);
        runFirst = item.id;
      }
      runLast = item.id;
    }
    if (runFirst >= 0) this.recent.removeRange(runFirst, runLast);
    this.depth -= left.length;
    if (left.length > 0) this.checkpointer?.request(this.file);
  }

  /** A row some of whose lines leave (`leaving[from..to)`): replaced by the runs of lines that stay. */
  private rewrite(last: number, n: number, leaving: readonly SpoolItem[], from: number, to: number): void {
    const { lines, sizeOf, appendedAt } = this.readRow(last, n);
    const first = last - n + 1;
    this.remove.run(last);
    let run: string[] = [];
    let runBytes = 0;
    let j = from;
    for (let id = first; id <= last; id++) {
      if (j < to && (leaving[j] as SpoolItem).id === id) {
        j++;
        if (run.length > 0) this.insertGroup.run(id - 1, run.length, runBytes, appendedAt, encodeGroup(run));
        run = [];
        runBytes = 0;
        continue;
      }
      run.push(lines[id - first] as string);
      runBytes += sizeOf(id - first);
    }
    if (run.length > 0) this.insertGroup.run(last, run.length, runBytes, appendedAt, encodeGroup(run));
  }

  /** The row keyed `last` (of `n` lines), decoded. */
  private readRow(last: number, n: number): GroupLines {
    return decodeRow(this.rowAt.get(last) as unknown as StoredRow, n, last);
  }

  count(range: IdRange = {}): number {
    const from = range.fromId ?? 0;
    const before = range.beforeId ?? MAX_ID;
    return Number((this.countRange.get(before - 1, from, from, before) as { n: number }).n);
  }

  stats(): SpoolStats {
    const oldest = this.oldest.get() as { appended_at: number } | undefined;
    return {
      depth: this.depth,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      oldestAppendedAt: oldest ? Number(oldest.appended_at) : null,
      nextId: this.next,
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

  private counter(name: string): number {
    return Number((this.db.prepare('SELECT value FROM spool_counters WHERE name = ?').get(name) as { value: number }).value);
  }

  /** Inside the append transaction: delete the oldest lines until the bytes fit. */
  private dropOldest(): void {
    const excess = this.bytes - this.maxBytes;
    let freed = 0;
    let lines = 0;
    let lastId = 0; // the last id dropped: of a whole row, until a row is cut
    let partial: [last: number, n: number] | undefined;
    const walk = this.db.prepare(`SELECT id, n, size FROM ${GROUPS_TABLE} ORDER BY id`);
    walk.setReturnArrays(true);
    for (const [last, n, size] of walk.iterate() as unknown as Iterable<[number, number, number]>) {
      if (freed + size > excess) {
        partial = [last, n]; // the excess ends inside this row
        break;
      }
      freed += size;
      lines += n;
      lastId = last;
      if (freed >= excess) break;
    }
    if (lastId > 0) this.removeRange.run(0, lastId);
    if (partial) {
      // its oldest lines until the bytes fit; the rest stays, as a row with the same key
      const [last, n] = partial;
      const { lines: all, size, sizeOf, appendedAt } = this.readRow(last, n);
      let m = 0;
      let bytes = 0;
      while (freed + bytes < excess) bytes += sizeOf(m++);
      this.remove.run(last);
      if (m < n) this.insertGroup.run(last, n - m, size - bytes, appendedAt, encodeGroup(all.slice(m)));
      freed += bytes;
      lines += m;
      lastId = last - n + m;
    }
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
