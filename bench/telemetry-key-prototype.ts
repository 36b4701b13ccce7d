/**
 * npm run bench:telemetry-keys — a prototype, not the store: what telemetry.db's two tables would
 * cost keyed by an integer series id instead of the text (device, point), measured in one process
 * with everything else equal: the month replay's shape (138 series of 21 devices, one batch of
 * every series per 5 minutes, 8,640 batches), rows in multi-row INSERTs of 64 rows into the
 * time-keyed table, one transaction per batch, a move of 20,000 rows at a time into the
 * series-keyed table, straight across and sorted (the store's fold), synchronous=NORMAL, WAL.
 *
 *   npm run bench:telemetry-keys -- [--rounds 3] [--batches 8640] [--dir /dev/shm]
 *
 * Prints CPU seconds per variant and round, alternating text and integer keys, and the file's pages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StatementSync } from 'node:sqlite';
import { inTransaction, openSqlite } from '../gateway/platform/sqlite-file.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, batches: { type: 'string', default: '8640' }, dir: { type: 'string', default: tmpdir() } } });
const SERIES = 138;
const CHUNK = 64;
const FOLD = 20_000;
const devices = Array.from({ length: 21 }, (_, d) => `${['elevator', 'pump', 'fire-panel', 'access-door', 'smoke-detector'][d % 5] ?? ''}-b${d % 3}-${d}`);
const keys = Array.from({ length: SERIES }, (_, s) => ({ id: s + 1, device: devices[s % 21] ?? '', point: `point_name_${s}` }));

function run(integer: boolean, batches: number): { cpu: number; pages: number } {
  const dir = mkdtempSync(join(String(args.dir), 'telemetry-keys-'));
  const db = openSqlite(join(dir, 'telemetry.db'));
  try {
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA wal_autocheckpoint = 256');
    const key = integer ? 'sid' : 'device, point';
    const keyTypes = integer ? 'sid INTEGER NOT NULL' : 'device TEXT NOT NULL, point TEXT NOT NULL';
    const columns = `${key}, ts, seq, value, vtype, quality, reason`;
    const types = `${keyTypes}, ts INTEGER NOT NULL, seq INTEGER NOT NULL, value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, reason TEXT`;
    db.exec(`CREATE TABLE history (${types}, PRIMARY KEY (${key}, ts, seq)) WITHOUT ROWID, STRICT`);
    db.exec(`CREATE TABLE recent (${types}, PRIMARY KEY (ts, ${key}, seq)) WITHOUT ROWID, STRICT`);
    const width = integer ? 7 : 8;
    const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    const insert = (n: number): StatementSync => db.prepare(`INSERT INTO recent (${columns}) VALUES ${Array.from({ length: n }, () => row).join(', ')}`);
    const bySize = new Map<number, StatementSync>();
    const statement = (n: number): StatementSync => bySize.get(n) ?? (bySize.set(n, insert(n)), bySize.get(n) as StatementSync);
    let recent = 0;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < batches; i++) {
      const ts = Date.UTC(2026, 2, 1) + i * 300_000;
      inTransaction(db, () => {
        const values: Array<number | string | null> = [];
        const flush = (): void => {
          let left = values.length / width;
          let at = 0;
          for (let size = CHUNK; left > 0; size >>= 1) {
            for (; left >= size; left -= size, at += size * width) statement(size).run(...values.slice(at, at + size * width));
          }
          values.length = 0;
        };
        for (const [s, k] of keys.entries()) {
          const value = s % 3 === 0 ? ((i * 7 + s) % 97) + 0.5 : s % 3 === 1 ? (i + s) % 2 : 'normal';
          if (integer) values.push(k.id, ts, 0, value, s % 3, 0, null);
          else values.push(k.device, k.point, ts, 0, value, s % 3, 0, null);
          if (values.length === CHUNK * width) flush();
        }
        flush();
      });
      recent += SERIES;
      if (recent >= FOLD) {
        inTransaction(db, () => {
          db.exec(`INSERT INTO history (${columns}) SELECT ${columns} FROM recent ORDER BY ${key}, ts, seq`);
          db.exec('DELETE FROM recent');
        });
        recent = 0;
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const pages = Number((db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
    return { cpu: (cpu.user + cpu.system) / 1e6, pages };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const batches = Number(args.batches);
console.log(`${new Date().toISOString()} · Node ${process.version} · load ${loadavg().map((l) => l.toFixed(2)).join(' ')} · ${batches} batches of ${SERIES} series`);
console.log('| round | text (device, point): CPU s | pages | integer series id: CPU s | pages |');
console.log('|---|---|---|---|---|');
for (let r = 1; r <= Number(args.rounds); r++) {
  const text = run(false, batches);
  const integer = run(true, batches);
  console.log(`| ${r} | ${text.cpu.toFixed(2)} | ${text.pages} | ${integer.cpu.toFixed(2)} | ${integer.pages} |`);
}
console.log(`load at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
