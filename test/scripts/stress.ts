/**
 * npm run test:stress — `npm test` three times in a row while two processes burn a CPU core each
 * beside it (the burners are killed at the end, also on failure or Ctrl-C). Exits non-zero when any
 * run fails. `-- --runs N --burners N` to change the counts, `-- --script test:unit` for one project.
 */
import { parseArgs } from 'node:util';
import { runNpm, startBurners, type SuiteRun } from './suite-runner.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, burners: { type: 'string', default: '2' }, script: { type: 'string', default: 'test' } } });
const runs = Number(values.runs);
const burnerCount = Number(values.burners);
const burners = startBurners(burnerCount);
const results: SuiteRun[] = [];
try {
  for (let i = 1; i <= runs; i++) {
    process.stdout.write(`\n=== test:stress run ${i}/${runs}: npm run ${values.script} beside ${burnerCount} CPU burners (${new Date().toISOString()})\n`);
    results.push(await runNpm(values.script));
  }
} finally {
  burners.stop();
}
process.stdout.write('\n=== test:stress results\n');
for (const [i, r] of results.entries()) process.stdout.write(`run ${i + 1}: ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(1)} s\n`);
const failed = results.filter((r) => r.code !== 0).length;
process.stdout.write(failed === 0 ? `all ${runs} runs passed\n` : `${failed} of ${runs} runs failed\n`);
process.exit(failed === 0 ? 0 : 1);
