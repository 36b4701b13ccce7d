/**
 * How fast a 30-day month of the demo site replays in virtual time, straight into the gateway's
 * sample bus (sync delivery) without sockets.
 *   npm run bench:sim-month [-- --runs N] [--scenario FILE] [--sample-every MS]
 * Prints one line per run (elapsed, samples, samples/s, SHA-256 of the stream) and the command.
 */
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { SampleBus } from '../gateway/bus/sample-bus.ts';
import { SampleDigest } from '../simulators/record/sample-digest.ts';
import { readScenarioFile } from '../simulators/scenario/scenario-file.ts';
import { runScenario } from '../simulators/scenario/scenario-runner.ts';
import { readSiteFile } from '../simulators/site-file.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    site: { type: 'string', default: 'config/demo-site.yaml' },
    scenario: { type: 'string', default: 'simulators/scenarios/month-of-operation.yaml' },
    'sample-every': { type: 'string' },
  },
});
const runs = Math.max(1, Number(values.runs));
const site = readSiteFile(values.site);
const fromFile = readScenarioFile(values.scenario);
const scenario = values['sample-every'] ? { ...fromFile, sampleEvery: Number(values['sample-every']) } : fromFile;
const out = (line: string) => process.stdout.write(`${line}\n`);

out(`command: npm run bench:sim-month -- --runs ${runs} --scenario ${values.scenario} --sample-every ${scenario.sampleEvery}`);
out(`date: ${new Date().toISOString()}  node ${process.version}  cpus: ${cpus().length} x ${cpus()[0]?.model ?? '?'}`);
out(`scenario: ${scenario.name}, ${site.devices.length} devices, sampleEvery ${scenario.sampleEvery} ms, duration ${scenario.duration / 86_400_000} d`);
for (let i = 1; i <= runs; i++) {
  const bus = new SampleBus({ capacity: 1_000_000, delivery: 'sync' });
  const digest = new SampleDigest();
  bus.subscribe('digest', (batch) => digest.push(batch));
  const started = performance.now();
  const { run, summary } = runScenario({ site, scenario, sink: bus });
  const ms = performance.now() - started;
  out(
    `run ${i}: ${(ms / 1000).toFixed(2)} s, ${summary.samples} samples (${Math.round(summary.samples / (ms / 1000))} samples/s), ` +
      `${run.timeline.length} faults, sha256 ${digest.hex().slice(0, 16)}…`,
  );
}
