/**
 * npm run bench:tests — three runs of `npm test` and three of the unit project; prints the medians
 * with the date, the machine (cores) and the load average, as a row for BENCHMARKS.md.
 * `-- --runs N`, `-- --burners N` (measure beside CPU burners, like test:stress).
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median, runNpm, startBurners, type SuiteRun } from './suite-runner.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, burners: { type: 'string', default: '0' } } });
const runs = Number(values.runs);
const burnerCount = Number(values.burners);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const burners = burnerCount > 0 ? startBurners(burnerCount) : undefined;
const results: Record<string, SuiteRun[]> = { test: [], 'test:unit': [] };
try {
  for (const script of Object.keys(results)) {
    for (let i = 1; i <= runs; i++) {
      process.stdout.write(`\n=== bench:tests npm run ${script} ${i}/${runs} (${new Date().toISOString()})\n`);
      (results[script] as SuiteRun[]).push(await runNpm(script));
    }
  }
} finally {
  burners?.stop();
}
const loadAfter = load();
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
process.stdout.write('\n=== bench:tests\n');
process.stdout.write(`date ${date} UTC, ${availableParallelism()} cores, load average before ${loadBefore}, after ${loadAfter}, ${burnerCount} CPU burners\n`);
let failed = 0;
for (const [script, list] of Object.entries(results)) {
  failed += list.filter((r) => r.code !== 0).length;
  const secs = list.map((r) => r.seconds);
  process.stdout.write(`npm run ${script}: median ${median(secs).toFixed(1)} s (runs ${secs.map((s) => s.toFixed(1)).join(', ')} s; ${list.filter((r) => r.code === 0).length}/${list.length} passed)\n`);
}
const row = `| ${date} | ${availableParallelism()} | ${loadBefore} → ${loadAfter} | ${burnerCount} | ${median(results.test?.map((r) => r.seconds) ?? []).toFixed(1)} s | ${median(results['test:unit']?.map((r) => r.seconds) ?? []).toFixed(1)} s |`;
process.stdout.write(`\nBENCHMARKS.md row (date | cores | load avg | burners | npm test median | unit median):\n${row}\n`);
process.exit(failed === 0 ? 0 : 1);
