/**
 * npm run bench:telemetry-store — what a commit of telemetry.db costs, the way the storage worker
 * makes them: B batches, each one reading of S series (a poll of a whole site), one transaction per
 * batch, `synchronous=NORMAL`, the store's own write-ahead-log settings. Per series count it reports
 * CPU seconds (user and system), microseconds per sample and bytes handed to write(2) per sample
 * (the write-ahead log and its checkpoints; /proc/self/io `wchar`) and the size of telemetry.db per
 * sample once closed, beside the raw ceiling measured in the same run: the same rows appended to a
 * plain rowid table with no key, in the same transactions.
 *
 *   npm run bench:telemetry-store -- [--series 200,2000] [--batches 3000] [--dir /dev/shm]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Sample } from '../gateway/model/sample.ts';
import { inTransaction, openSqlite } from '../gateway/platform/sqlite-file.ts';
import { SqliteSampleStore, WAL_AUTOCHECKPOINT_PAGES } from '../gateway/storage/sqlite-sample-store.ts';
import { bytesWritten } from './process-io.ts';

const { values: args } = parseArgs({ options: { series: { type: 'string', default: '200,2000' }, batches: { type: 'string', default: '3000' }, dir: { type: 'string', default: tmpdir() } } });
const seriesCounts = String(args.series).split(',').map(Number);
const batches = Number(args.batches);

function makeBatch(i: number, series: number): Sample[] {
  const ts = Date.UTC(2026, 0, 1) + i * 1_000;
  return Array.from({ length: series }, (_, s) => ({ device: `device-${s % 100}`, point: `point_${s}`, ts, value: (i * 7 + s) % 97, quality: 'good' as const }));
}

interface Figure {
  readonly user: number;
  readonly sys: number;
  readonly usPerSample: number;
  readonly bytesPerSample: number;
}

function measure(series: number, write: (batch: Sample[]) => void): Figure {
  const pre = Array.from({ length: Math.min(batches, 50) }, (_, i) => makeBatch(i, series));
  const cpu0 = process.cpuUsage();
  const io0 = bytesWritten();
  for (let i = 0; i < batches; i++) write(i < pre.length ? (pre[i] as Sample[]) : makeBatch(i, series));
  const cpu = process.cpuUsage(cpu0);
  const samples = batches * series;
  return { user: cpu.user / 1e6, sys: cpu.system / 1e6, usPerSample: (cpu.user + cpu.system) / samples, bytesPerSample: (bytesWritten() - io0) / samples };
}

function storeRun(dir: string, series: number): Figure & { fileBytesPerSample: number } {
  const file = join(dir, `telemetry-${series}.db`);
  const store = new SqliteSampleStore(file);
  const figure = measure(series, (b) => store.write(b));
  void store.close();
  return { ...figure, fileBytesPerSample: statSync(file).size / (batches * series) };
}

function rawRun(dir: string, series: number): Figure {
  const db = openSqlite(join(dir, `raw-${series}.db`));
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.exec('CREATE TABLE rows (device TEXT, point TEXT, ts INTEGER, value ANY, quality INTEGER)');
  const insert = db.prepare('INSERT INTO rows VALUES (?, ?, ?, ?, ?)');
  const figure = measure(series, (b) => inTransaction(db, () => b.forEach((s) => insert.run(s.device, s.point, s.ts, s.value as number, 0))));
  db.close();
  return figure;
}

const dir = mkdtempSync(join(String(args.dir), 'bench-telemetry-store-'));
try {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? '?'} · Node ${process.version} · load ${load}`);
  console.log(`${batches} batches per row, one transaction each\n`);
  console.log(
    '| series per batch | telemetry.db: CPU s (user + sys) | µs / sample | bytes written / sample | file bytes / sample | raw rowid table: CPU s (user + sys) | µs / sample | bytes / sample |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const series of seriesCounts) {
    const store = storeRun(dir, series);
    const raw = rawRun(dir, series);
    const cells = (f: Figure): string => `${(f.user + f.sys).toFixed(2)} (${f.user.toFixed(2)} + ${f.sys.toFixed(2)}) | ${f.usPerSample.toFixed(2)} | ${Math.round(f.bytesPerSample)}`;
    console.log(`| ${series} | ${cells(store)} | ${store.fileBytesPerSample.toFixed(1)} | ${cells(raw)} |`);
  }
  console.log(`\nload at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
