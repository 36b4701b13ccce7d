/**
 * OPC UA load: 10,000 monitored items (20 fire panels x 500 zones) changing at 1 Hz on a sample
 * server in a child process; the OpcuaConnector subscribes (one subscription, batched items) and
 * pushes onto the sample bus. Reports samples/s on the bus, the gateway process's CPU % and RSS.
 * Bounded: WARMUP_S + MEASURE_S seconds.
 *
 *   npm run bench:opcua
 *   PANELS=10 ZONES=500 MEASURE_S=20 npm run bench:opcua
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SampleBus } from '../gateway/bus/sample-bus.ts';
import { opcuaConnectorSchema } from '../gateway/connectors/opcua/opcua-schema.ts';
import { OpcuaConnector } from '../gateway/connectors/opcua/opcua-connector.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import { TroubleBoard } from '../gateway/trouble/trouble-board.ts';

const PANELS = Number(process.env.PANELS ?? 20);
const ZONES = Number(process.env.ZONES ?? 500);
const WARMUP_S = Number(process.env.WARMUP_S ?? 5);
const MEASURE_S = Number(process.env.MEASURE_S ?? 20);
const ITEMS = PANELS * ZONES;

const child = spawn(process.execPath, [new URL('./opcua-bench-server.ts', import.meta.url).pathname], {
  env: { ...process.env, PANELS: String(PANELS), ZONES: String(ZONES) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let serverChanges = 0;
child.stdout.on('data', (d: Buffer) => {
  const all = [...d.toString().matchAll(/changes=(\d+)/g)];
  const last = all.at(-1);
  if (last) serverChanges = Number(last[1]);
});
const { port, ns } = await new Promise<{ port: number; ns: number }>((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('sample server did not start within 60 s')), 60_000);
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /port=(\d+) ns=(\d+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve({ port: Number(m[1]), ns: Number(m[2]) });
    }
  });
});

const dataDir = mkdtempSync(join(tmpdir(), 'opcua-bench-'));
const log = silentLogger();
const clock = new RealClock();
const bus = new SampleBus({ capacity: 1_000_000, log });
let received = 0;
bus.subscribe('bench', (batch) => {
  received += batch.length;
});
const config = opcuaConnectorSchema.parse({ id: 'bench', type: 'opcua', endpoint: `opc.tcp://127.0.0.1:${port}`, publishingInterval: 1000 });
const devices = Array.from({ length: PANELS }, (_, i) => ({
  info: { id: `fp${i}`, name: `fp${i}`, kind: 'fire_panel' as const, location: { site: 'bench', building: 'b1', floor: 'F1' }, connector: 'bench', zones: ZONES },
  binding: { connector: 'bench', samplingInterval: 500, queueSize: 2, nodes: { 'zone_{zone}_state': `ns=${ns};s={device}.Zone{zone}.State` } },
}));
const connector = new OpcuaConnector(config, { clock, log, devices, trouble: new TroubleBoard(clock), dataDir });
const t0 = performance.now();
await connector.start(bus);
const subscribedMs = performance.now() - t0;
if (!connector.health().connected) throw new Error(`not connected: ${JSON.stringify(connector.health())}`);

await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
const before = received;
const changes0 = serverChanges;
const stat0 = procCpuTicks();
const cpu0 = process.threadCpuUsage();
const proc0 = process.cpuUsage();
const m0 = performance.now();
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
const elapsedMs = performance.now() - m0;
clearInterval(rssTimer);
const cpu = process.threadCpuUsage(cpu0);
const proc = process.cpuUsage(proc0);
const ticks = procCpuTicks() - stat0;
const rate = (received - before) / (elapsedMs / 1000);
const changeRate = (serverChanges - changes0) / (elapsedMs / 1000);
const h = connector.health();
process.stdout.write(
  [
    `opcua bench (${new Date().toISOString()}, ${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version})`,
    `command: PANELS=${PANELS} ZONES=${ZONES} WARMUP_S=${WARMUP_S} MEASURE_S=${MEASURE_S} npm run bench:opcua`,
    `monitored items: ${ITEMS} on one subscription (${h.detail?.itemsPerCall} per CreateMonitoredItems call), values changing at 1 Hz; connect+subscribe took ${Math.round(subscribedMs)} ms`,
    `samples/s on the bus: ${Math.round(rate)}; value changes/s made by the server in the same window: ${Math.round(changeRate)} (nominal ${ITEMS})`,
    `gateway main thread CPU: ${Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100)}% of one core; process CPU: ${Math.round(((proc.user + proc.system) / 1000 / elapsedMs) * 100)}% (/proc: ${Math.round(((ticks * 10) / elapsedMs) * 100)}%)`,
    `gateway RSS: ${Math.round(process.memoryUsage().rss / 1e6)} MB (peak ${Math.round(peakRss / 1e6)} MB); sample server runs in a separate process`,
    `errors: ${JSON.stringify(h.errors)}`,
    '',
  ].join('\n'),
);
await connector.stop();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);

/** utime + stime of this process in clock ticks (1/100 s), from /proc/self/stat. */
function procCpuTicks(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}
