/**
 * Memory (#20.5): the gateway's resident set (VmRSS of the child process) with 1, 100, 1,000 and
 * 10,000 MQTT pumps bound (embedded broker, no traffic), after start-up and SETTLE_S seconds idle,
 * and the RSS per 1,000 bound points between the sizes (the slope from the 1-device process).
 *
 *   npm run bench:memory [-- --devices 1,100,1000,10000] [--settle 10]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pointsOf } from '../gateway/model/device-kinds.ts';
import { startGatewayChild } from './e2e-servers.ts';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '1,100,1000,10000' }, settle: { type: 'string', default: '10' } } });
const SIZES = (args.devices as string).split(',').map(Number);
const SETTLE_S = Number(args.settle);
const POINTS_PER_PUMP = pointsOf('pump').length;

const rss = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;

console.log(`# npm run bench:memory -- --devices ${SIZES.join(',')} --settle ${SETTLE_S}`);
console.log(`# ${new Date().toISOString()}, nproc ${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const results: Array<{ devices: number; points: number; rssMiB: number }> = [];
for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const configFile = join(dir, 'site.yaml');
  writeFileSync(
    configFile,
    [
      'site: { id: mem, name: Memory }',
      'buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]',
      'broker: { enabled: true, port: 0 }',
      'api: { port: 0 }',
      `storage: { dataDir: ${JSON.stringify(join(dir, 'data'))} }`,
      'connectors: [{ id: m, type: mqtt, url: embedded }]',
      'devices:',
      ...Array.from({ length: n }, (_, i) => `  - { id: pump-${i}, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: mem/pump-${i} } }`),
      '',
    ].join('\n'),
  );
  const gw = await startGatewayChild(configFile);
  try {
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    await fetch(`${gw.api}/api/health`); // one request served
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(rss(gw.pid));
      await new Promise((r) => setTimeout(r, 400));
    }
    const median = [...samples].sort((a, b) => a - b)[2] as number;
    results.push({ devices: n, points: n * POINTS_PER_PUMP, rssMiB: median });
    console.log(JSON.stringify(results.at(-1)));
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
const base = results[0];
console.log('\n| devices | bound points | RSS MiB (idle, median of 5) | MiB per 1,000 points above the smallest site |');
console.log('|---|---|---|---|');
for (const r of results) {
  const slope = base && r !== base ? ((r.rssMiB - base.rssMiB) / ((r.points - base.points) / 1000)).toFixed(2) : '–';
  console.log(`| ${r.devices.toLocaleString('en')} | ${r.points.toLocaleString('en')} | ${r.rssMiB.toFixed(0)} | ${slope} |`);
}
console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
