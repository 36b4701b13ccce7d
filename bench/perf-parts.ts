/**
 * On-CPU time of the gateway by part and thread, from `perf` samples with call stacks. A V8
 * `.cpuprofile` (`--cpu-prof`) counts wall time (a thread waiting for a core or for a write counts
 * as busy), so on a loaded two-core machine it shows up to about twice the CPU the gateway uses; `perf`
 * samples only threads on a core (Debian package `linux-perf`). Parts: bench/profile-parts.ts.
 *
 *   mkdir -p /tmp/jit
 *   npm run bench:e2e -- --rates 10000 --seconds 30 --node-flag=--perf-prof \
 *     --node-flag=--perf-prof-path=/tmp/jit --node-flag=--interpreted-frames-native-stack &
 *   # once the publisher runs (the gateway is busy), for 10 s:
 *   perf record -k 1 -g -F 999 -o perf.data -p "$(pgrep -f 'gateway/cli.ts run')" -- sleep 10
 *   perf inject --jit -i perf.data -o perf.jit.data
 *   perf script -i perf.jit.data -F comm,tid,ip,sym > perf.txt
 *   npm run bench:perf-parts -- perf.txt --hz 999 --messages 100000
 *
 * `--perf-prof` writes a jit-<pid>.dump with each compiled function's address *and time*, which
 * `perf inject --jit` turns into symbols. `--perf-basic-prof`'s /tmp/perf-<pid>.map has no times:
 * the address of code the garbage collector freed is given to new code, and perf then names samples
 * after whatever function held the address first (seen here: the telemetry.db commit counted as the
 * spool's). Delete /tmp/jit (the dump and the jitted-*.so files perf inject writes there) afterwards.
 *
 * `--messages`: the messages the gateway took while perf recorded (rate × seconds), for µs per
 * message. Threads: `main`, the busiest `WorkerThread` (the storage worker), the other worker
 * threads (the write-ahead log checkpointer), V8's helper threads (`V8Worker`: concurrent garbage
 * collection, JIT compilers) and libuv's thread pool (gzip).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { partOf } from './profile-parts.ts';

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { hz: { type: 'string', default: '999' }, messages: { type: 'string' } } });
const file = positionals[0];
if (!file) throw new Error('usage: npm run bench:perf-parts -- perf.txt [--hz 999] [--messages N]  (perf.txt: perf script -F comm,tid,ip,sym)');
const hz = Number(args.hz);
const messages = args.messages === undefined ? undefined : Number(args.messages);
if (!(hz > 0) || (messages !== undefined && !(messages > 0))) throw new Error(`--hz and --messages must be positive numbers, not ${args.hz} and ${args.messages}`);

interface Sample {
  readonly comm: string;
  readonly tid: string;
  readonly symbols: string[];
}
const samples: Sample[] = [];
let current: Sample | undefined;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.trim() === '') {
    if (current) samples.push(current);
    current = undefined;
  } else if (!/^\s/.test(line)) {
    const [comm = '?', tid = '?'] = line.trim().split(/\s+/);
    current = { comm, tid, symbols: [] };
  } else if (current) {
    // "\t ffffffff8123 symbol+0x12 (dso)" → the symbol
    current.symbols.push(line.trim().replace(/^[0-9a-f]+\s+/, ''));
  }
}
if (current) samples.push(current);
if (samples.length === 0) throw new Error(`${file}: no samples (expected the output of perf script -F comm,tid,ip,sym of a perf record -g)`);

// the storage worker is the WorkerThread with the most samples
const workerTids = new Map<string, number>();
for (const s of samples) if (s.comm === 'WorkerThread') workerTids.set(s.tid, (workerTids.get(s.tid) ?? 0) + 1);
const storageTid = [...workerTids].sort((a, b) => b[1] - a[1])[0]?.[0];
const threadOf = (s: Sample): string =>
  s.comm === 'MainThread' || s.comm === 'node' ? 'main' : s.comm === 'WorkerThread' ? (s.tid === storageTid ? 'storage worker' : 'other workers') : s.comm === 'V8Worker' ? 'V8 helpers' : s.comm;

const threads = new Map<string, number>();
const table = new Map<string, Map<string, number>>();
for (const s of samples) {
  const thread = threadOf(s);
  const part = partOf(s.symbols);
  threads.set(thread, (threads.get(thread) ?? 0) + 1);
  const row = table.get(part) ?? new Map<string, number>();
  row.set(thread, (row.get(thread) ?? 0) + 1);
  table.set(part, row);
}
const columns = [...threads].sort((a, b) => b[1] - a[1]).map(([t]) => t);
const ms = (n: number): string => ((n / hz) * 1000).toFixed(0);
const perMessage = (n: number): string => (messages ? ((n / hz) * 1e6 / messages).toFixed(2) : '');
console.log(`| part | ${columns.map((c) => `${c} ms`).join(' | ')} | all ms | share |${messages ? ' µs per message |' : ''}`);
console.log(`|---|${columns.map(() => '---').join('|')}|---|---|${messages ? '---|' : ''}`);
const total = samples.length;
for (const [part, row] of [...table].sort((a, b) => sum(b[1]) - sum(a[1]))) {
  const n = sum(row);
  console.log(`| ${part} | ${columns.map((c) => ms(row.get(c) ?? 0)).join(' | ')} | ${ms(n)} | ${((n / total) * 100).toFixed(1)} % |${messages ? ` ${perMessage(n)} |` : ''}`);
}
console.log(`| all | ${columns.map((c) => ms(threads.get(c) ?? 0)).join(' | ')} | ${ms(total)} | 100 % |${messages ? ` ${perMessage(total)} |` : ''}`);

function sum(row: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of row.values()) n += v;
  return n;
}
