/**
 * npm run bench:tests — three runs of `npm test` and three of the unit project; prints the medians
 * (wall and CPU seconds) with the date, the machine (cores), the load average and a speed probe, as
 * a row for BENCHMARKS.md.
 * `-- --runs N`, `-- --burners N` (measure beside CPU burners, like test:stress),
 * `-- --cpu` (also the test files that cost the most CPU, median over the runs of `npm test`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, runNpm, speedProbeMs, startBurners, type SuiteRun } from './suite-runner.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, burners: { type: 'string', default: '0' }, cpu: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const burnerCount = Number(values.burners);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const probes: number[] = [speedProbeMs()];
const cpuDir = values.cpu ? mkdtempSync(join(tmpdir(), 'bench-tests-cpu-')) : undefined;
const burners = burnerCount > 0 ? startBurners(burnerCount) : undefined;
const results: Record<string, SuiteRun[]> = { test: [], 'test:unit': [] };
try {
  for (const script of Object.keys(results)) {
    for (let i = 1; i <= runs; i++) {
      process.stdout.write(`\n=== bench:tests npm run ${script} ${i}/${runs} (${new Date().toISOString()})\n`);
      const env = cpuDir && script === 'test' ? { ...process.env, TEST_CPU_LOG: join(cpuDir, `run-${i}.jsonl`) } : process.env;
      (results[script] as SuiteRun[]).push(await runNpm(script, [], env));
    }
  }
} finally {
  burners?.stop();
}
probes.push(speedProbeMs());
const loadAfter = load();
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const probe = `speed probe ${probes.map((p) => p.toFixed(0)).join(' → ')} ms`;
process.stdout.write('\n=== bench:tests\n');
process.stdout.write(`date ${date} UTC, ${availableParallelism()} cores, load average before ${loadBefore}, after ${loadAfter}, ${burnerCount} CPU burners, ${probe} (before → after; smaller is faster)\n`);
let failed = 0;
for (const [script, list] of Object.entries(results)) {
  failed += list.filter((r) => r.code !== 0).length;
  const secs = list.map((r) => r.seconds);
  const cpus = list.map((r) => r.cpuSeconds);
  process.stdout.write(
    `npm run ${script}: median ${median(secs).toFixed(1)} s (runs ${secs.map((s) => s.toFixed(1)).join(', ')} s; ${list.filter((r) => r.code === 0).length}/${list.length} passed), CPU median ${median(cpus).toFixed(0)} s (${cpus.map((c) => c.toFixed(0)).join(', ')})\n`,
  );
}
if (cpuDir) {
  printCostliestFiles(cpuDir);
  rmSync(cpuDir, { recursive: true, force: true });
}
const med = (script: string, pick: (r: SuiteRun) => number): string => median(results[script]?.map(pick) ?? []).toFixed(1);
const row = `| ${date} | ${availableParallelism()} | ${loadBefore} → ${loadAfter} | ${burnerCount} | ${med('test', (r) => r.seconds)} s (CPU ${med('test', (r) => r.cpuSeconds)} s) | ${med('test:unit', (r) => r.seconds)} s | ${probe} |`;
process.stdout.write(`\nBENCHMARKS.md row (date | cores | load avg | burners | npm test median | unit median | speed):\n${row}\n`);
process.exit(failed === 0 ? 0 : 1);

/** The per-file CPU lines of test/support/cpu-per-file.setup.ts, median per file over the runs. */
function printCostliestFiles(dir: string): void {
  const perFile = new Map<string, { self: number[]; children: number[] }>();
  for (let i = 1; i <= runs; i++) {
    let text = '';
    try {
      text = readFileSync(join(dir, `run-${i}.jsonl`), 'utf8');
    } catch {
      continue; // a run that stopped before its first file
    }
    for (const line of text.split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { file: string; self: number; children: number };
      const e = perFile.get(r.file) ?? { self: [], children: [] };
      e.self.push(r.self);
      e.children.push(r.children);
      perFile.set(r.file, e);
    }
  }
  const rows = [...perFile].map(([file, e]) => ({ file, self: median(e.self), children: median(e.children) }));
  rows.sort((a, b) => b.self + b.children - (a.self + a.children));
  const total = rows.reduce((s, r) => s + r.self + r.children, 0);
  process.stdout.write(`\nCPU seconds per test file (median over the runs of npm test; in the worker + in its child processes), ${rows.length} files, ${total.toFixed(0)} s in all:\n`);
  for (const r of rows.slice(0, 20)) process.stdout.write(`${(r.self + r.children).toFixed(1).padStart(6)} = ${r.self.toFixed(1).padStart(5)} + ${r.children.toFixed(1).padStart(5)}  ${r.file}\n`);
}
