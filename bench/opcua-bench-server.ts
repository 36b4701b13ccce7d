/**
 * Child process of bench/opcua-bench.ts: the sample OPC UA server with PANELS fire panels of ZONES
 * zones each, every zone state changing once a second. Prints `port=<n>` when listening.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSampleServer } from '../test/support/opcua-sample-server.ts';

const panels = Number(process.env.PANELS ?? 20);
const zones = Number(process.env.ZONES ?? 500);
const server = await startSampleServer({
  pkiDir: join(mkdtempSync(join(tmpdir(), 'opcua-bench-server-')), 'pki'),
  panels: Array.from({ length: panels }, (_, i) => ({ id: `fp${i}`, zones })),
});
let tick = 0;
setInterval(() => {
  tick++;
  for (let p = 0; p < panels; p++) for (let z = 1; z <= zones; z++) server.set(`fp${p}.Zone${z}.State`, (tick + z) % 4);
  process.stdout.write(`changes=${tick * panels * zones}\n`);
}, 1_000);
process.stdout.write(`port=${server.port} ns=${server.namespaceIndex}\n`);
process.on('SIGTERM', () => {
  void server.shutdown().then(() => process.exit(0));
});
