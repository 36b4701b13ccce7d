/**
 * npm run bench:spool-file — what spool.db costs per line, the way the storage worker uses it
 * during an outage and the drain after it: N lines of line protocol appended A at a time (one
 * transaction each, `synchronous=NORMAL`), then drained oldest first by takes of B lines, each
 * settled as accepted (a backlog request InfluxDB took). Lines are read back from the file (the
 * spool's in-memory copy of its newest lines is off: a backlog longer than it is read from the
 * file). Per phase: CPU microseconds per line and bytes handed to write(2) per line (the
 * write-ahead log and its checkpoints; /proc/self/io `wchar`), and the file's bytes per line after
 * the appends; beside the raw ceiling measured in the same run: the same appends as one row each
 * of a plain rowid table (the lines joined; the spool's write-ahead-log setting), read back and
 * deleted by the same takes.
 *
 *   npm run bench:spool-file -- [--lines 1000000] [--append 500] [--take 20000] [--rounds 3] [--dir /dev/shm]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inTransaction, openSqlite } from '../gateway/platform/sqlite-file.ts';
import { SPOOL_WAL_AUTOCHECKPOINT_PAGES, SqliteSpool } from '../gateway/storage/sqlite-spool.ts';
import { median } from './median.ts';
import { bytesWritten } from './process-io.ts';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    append: { type: 'string', default: '500' },
    take: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    dir: { type: 'string', default: tmpdir() },
  },
});
const LINES = Number(args.lines);
const APPEND = Number(args.append);
const TAKE = Number(args.take);
const ROUNDS = Number(args.rounds);

/** The lines of append `k`: the bench site's pump lines, nanosecond timestamps. */
function appendLines(k: number): string[] {
  return Array.from({ length: APPEND }, (_, i) => {
    const n = k * APPEND + i;
    return `pump,building=b1,device=pump-${n % 100},floor=F1,site=bench discharge_bar=${(n % 1000) / 100} ${1_795_000_000_000_000_000n + BigInt(n) * 1_000_000n}`;
  });
}

interface Phase {
  readonly usPerLine: number;
  readonly bytesPerLine: number;
}

function phase(run: () => void): Phase {
  const cpu0 = process.cpuUsage();
  const io0 = bytesWritten();
  run();
  const cpu = process.cpuUsage(cpu0);
  return { usPerLine: (cpu.user + cpu.system) / LINES, bytesPerLine: (bytesWritten() - io0) / LINES };
}

interface Run {
  readonly append: Phase;
  readonly drain: Phase;
  readonly fileBytesPerLine: number;
}

function fileBytes(file: string): number {
  return statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
}

function spoolRun(dir: string, appends: readonly string[][], round: number): Run {
  const file = join(dir, `spool-${round}.db`);
  const spool = new SqliteSpool(file, { maxBytes: 1e12, appendSync: 'NORMAL', memoryBytes: 0 });
  const append = phase(() => appends.forEach((lines, k) => spool.append(lines, k)));
  const size = fileBytes(file);
  let drained = 0;
  const drain = phase(() => {
    for (;;) {
      const batch = spool.take(TAKE);
      drained += batch.items.length;
      spool.settle(batch, { accepted: batch.items.map((i) => i.id) }, 0);
      if (batch.items.length === 0) break;
    }
  });
  spool.close();
  if (drained !== LINES) throw new Error(`the spool gave back ${drained} of ${LINES} lines`);
  return { append, drain, fileBytesPerLine: size / LINES };
}

function rawRun(dir: string, appends: readonly string[][], round: number): Run {
  const file = join(dir, `raw-${round}.db`);
  const db = openSqlite(file);
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec(`PRAGMA wal_autocheckpoint = ${SPOOL_WAL_AUTOCHECKPOINT_PAGES}`);
  db.exec('CREATE TABLE rows (lines TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO rows (lines) VALUES (?)');
  const append = phase(() => appends.forEach((lines) => inTransaction(db, () => insert.run(lines.join('\n')))));
  const size = fileBytes(file);
  const select = db.prepare('SELECT rowid, lines FROM rows WHERE rowid > ? ORDER BY rowid LIMIT ?');
  const remove = db.prepare('DELETE FROM rows WHERE rowid <= ?');
  let drained = 0;
  const drain = phase(() => {
    let after = 0;
    for (;;) {
      const rows = select.all(after, Math.ceil(TAKE / APPEND)) as Array<{ rowid: number; lines: string }>;
      if (rows.length === 0) break;
      for (const r of rows) drained += r.lines.split('\n').length;
      after = Number((rows[rows.length - 1] as { rowid: number }).rowid);
      inTransaction(db, () => remove.run(after));
    }
  });
  db.close();
  if (drained !== LINES) throw new Error(`the raw table gave back ${drained} of ${LINES} lines`);
  return { append, drain, fileBytesPerLine: size / LINES };
}

const dir = mkdtempSync(join(String(args.dir), 'bench-spool-file-'));
try {
  console.log(`${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? '?'} · Node ${process.version} · load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${LINES.toLocaleString('en')} lines appended ${APPEND} at a time, drained by takes of ${TAKE.toLocaleString('en')}; medians of ${ROUNDS} rounds (spool and raw alternating)\n`);
  const appends = Array.from({ length: Math.ceil(LINES / APPEND) }, (_, k) => appendLines(k));
  const spool: Run[] = [];
  const raw: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    spool.push(spoolRun(dir, appends, r));
    raw.push(rawRun(dir, appends, r));
  }
  const row = (name: string, runs: readonly Run[]): string => {
    const m = (f: (r: Run) => number, digits: number): string => median(runs.map(f)).toFixed(digits);
    return `| ${name} | ${m((r) => r.append.usPerLine, 2)} | ${m((r) => r.append.bytesPerLine, 0)} | ${m((r) => r.fileBytesPerLine, 0)} | ${m((r) => r.drain.usPerLine, 2)} | ${m((r) => r.drain.bytesPerLine, 0)} |`;
  };
  console.log('| | append: CPU µs / line | append: bytes written / line | file bytes / line | drain (take + settle): CPU µs / line | drain: bytes written / line |');
  console.log('|---|---|---|---|---|---|');
  console.log(row('spool.db (SqliteSpool)', spool));
  console.log(row('raw ceiling: a rowid row per append, lines joined', raw));
  console.log(`\nload at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
