#!/usr/bin/env node
/** npm run sim -- --site config/demo-site.yaml [--mqtt-url mqtt://127.0.0.1:1883] [--seed N] */
import { parseArgs } from 'node:util';
import { RealClock } from '../gateway/model/clock.ts';
import { readSiteFile } from './site-file.ts';
import { startSimulators } from './sim-runner.ts';

const { values } = parseArgs({
  options: {
    site: { type: 'string' },
    'mqtt-url': { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    seed: { type: 'string', default: '1' },
    interval: { type: 'string', default: '2000' },
  },
});
if (!values.site) {
  process.stderr.write('usage: npm run sim -- --site FILE [--mqtt-url URL] [--seed N] [--interval MS]\n');
  process.exit(2);
}
const sims = await startSimulators(readSiteFile(values.site), {
  clock: new RealClock(),
  seed: Number(values.seed),
  mqttUrl: values['mqtt-url'],
  publishIntervalMs: Number(values.interval),
});
process.stdout.write(`simulating ${sims.models.size} devices (${sims.unsupported.length} of other kinds not yet simulated)\n`);
process.once('SIGINT', () => void sims.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void sims.stop().then(() => process.exit(0)));
