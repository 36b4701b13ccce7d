#!/usr/bin/env node
/**
 * npm run sim:fleet -- --sites 200 --devices 50 [--broker mqtt://127.0.0.1:1883] [--group estates]
 *                      [--rate 10] [--alarm-every 1000] [--duration 0]
 *
 * A fleet of lightweight Sparkplug B edge nodes (simulators/fleet/fleet-sim.ts) against a broker,
 * for driving an operations centre. Prints a line of counts every 5 s; runs until Ctrl-C or --duration s.
 */
import { parseArgs } from 'node:util';
import { FleetSim } from './fleet-sim.ts';

const USAGE = 'usage: npm run sim:fleet -- --sites N --devices N [--broker URL] [--group ID] [--rate POINTS_PER_SITE_PER_S] [--alarm-every MS] [--duration S]\n';

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      options: {
        sites: { type: 'string', default: '200' },
        devices: { type: 'string', default: '50' },
        broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        group: { type: 'string', default: 'estates' },
        rate: { type: 'string', default: '10' },
        'alarm-every': { type: 'string', default: '1000' },
        duration: { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number, got "${v}"`);
    return n;
  };
  let sim: FleetSim;
  try {
    sim = new FleetSim({
      url: values.broker,
      group: values.group,
      sites: num('sites', values.sites),
      devices: Math.max(1, num('devices', values.devices)),
      pointsPerSitePerS: num('rate', values.rate),
      alarmEveryMs: num('alarm-every', values['alarm-every']),
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  await sim.start();
  process.stdout.write(`fleet: ${values.sites} sites x ${values.devices} devices born on ${values.broker} (group ${values.group})\n`);
  const report = setInterval(() => process.stdout.write(`${JSON.stringify(sim.stats())}\n`), 5_000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    const d = Number(values.duration);
    if (d > 0) setTimeout(resolve, d * 1000);
  });
  clearInterval(report);
  await sim.stop();
  process.stdout.write(`${JSON.stringify(sim.stats())}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sim:fleet: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
