/**
 * Alarms under load: the gateway (a child process, embedded broker, 100 MQTT pumps and a smoke
 * detector, a priority-1 rule on the smoke alarm) takes QoS 1 pump telemetry at stepped rates while
 * the smoke detector's alarm flips every second on another topic. Per rate it reports:
 *
 * - the rate reached end to end: messages acknowledged AND counted in telemetry.db (not on the bus),
 *   divided by the time from the first publish to the last PUBACK;
 * - fire alarm latency, publish → alarm event on GET /api/events (journaled in gateway.db first,
 *   then pushed), p50/p99;
 * - the gateway's event-loop lag (worst 5 s window p99 seen in /api/health during the step);
 * - and, in the same run, the raw ceiling: mqtt.js → aedes → mqtt.js QoS 1 with no gateway.
 *
 *   npm run bench:alarm-under-load                       (rates 2000,5000,10000; 10 s each)
 *   RATES=2000,5000 SECONDS=5 npm run bench:alarm-under-load
 *   CPU_PROF_DIR=/tmp/prof RATES=10000 npm run bench:alarm-under-load   (profile the gateway)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import mqtt from 'mqtt';
import { startEmbeddedBroker } from '../gateway/broker/embedded-broker.ts';
import { brokerSchema } from '../gateway/broker/broker-schema.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import type { PublishJob, PublishResult } from './alarm-load-publisher.ts';
import { alarmEventStream } from './alarm-event-stream.ts';

const RATES = (process.env.RATES ?? '2000,5000,10000').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 10);
const PUMPS = 100;
const CLIENTS = Number(process.env.CLIENTS ?? 4);

const dir = mkdtempSync(join(tmpdir(), 'alarm-under-load-'));
const dataDir = join(dir, 'data');
const configFile = join(dir, 'site.yaml');
writeFileSync(
  configFile,
  [
    'site: { id: bench, name: Alarm under load }',
    'buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]',
    'broker: { enabled: true, port: 0 }',
    'api: { port: 0 }',
    `storage: { dataDir: ${JSON.stringify(dataDir)} }`,
    'bus: { queueCapacity: 1000000 }',
    'connectors: [{ id: m, type: mqtt, url: embedded }]',
    'rules:',
    '  - { id: smoke-alarm, title: Smoke alarm, scope: { kind: smoke_detector }, when: { type: state, point: alarm, equals: true }, priority: 1 }',
    'devices:',
    '  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: fire/smoke-1 } }',
    ...Array.from({ length: PUMPS }, (_, i) => `  - { id: pump-${i}, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: load/pump-${i} } }`),
    '',
  ].join('\n'),
);

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function startGateway(): Promise<{ api: string; stop: () => Promise<void> }> {
  // CPU_PROF_DIR=dir: write a --cpu-prof profile of the gateway process there
  const prof = process.env.CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...prof, 'gateway/cli.ts', 'run', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const api = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"api":"(http:\/\/[^"]+)","docs"/.exec(out) ?? /gateway running: API at (http:\/\/[0-9.:]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}:\n${out}`)));
  });
  return {
    api,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function publisherWorker(url: string): Promise<{ run(job: PublishJob): Promise<PublishResult>; close(): void }> {
  const worker = new Worker(new URL('./alarm-load-publisher.ts', import.meta.url), { workerData: { url, devices: PUMPS, clients: CLIENTS } });
  return new Promise((resolve) => {
    worker.once('message', () =>
      resolve({
        run: (job) =>
          new Promise((res) => {
            worker.once('message', (r: PublishResult) => res(r));
            worker.postMessage(job);
          }),
        close: () => worker.postMessage('close'),
      }),
    );
  });
}

/** Alarm events of smoke-1 (raised and cleared) from the SSE stream, with their arrival time. */
async function alarmStream(api: string): Promise<{ arrivals: number[]; close: () => void }> {
  const arrivals: number[] = [];
  const { close } = await alarmEventStream(api, (e) => {
    if (e.device === 'smoke-1' && (e.type === 'raised' || e.type === 'cleared')) arrivals.push(e.at);
  });
  return { arrivals, close };
}

async function rawCeiling(n: number): Promise<number> {
  const broker = await startEmbeddedBroker(brokerSchema.parse({ enabled: true, host: '127.0.0.1', port: 0 }), silentLogger());
  const sub = await mqtt.connectAsync(broker.url, { clientId: 'raw-sub', clean: true, reconnectPeriod: 0 });
  await sub.subscribeAsync('load/#', { qos: 1 });
  let got = 0;
  let last = 0;
  sub.on('message', () => {
    got++;
    last = performance.now();
  });
  const pub = await publisherWorker(broker.url);
  const start = performance.now();
  await pub.run({ rate: n, seconds: 1, prefix: 'load/pump-' });
  const deadline = performance.now() + 60_000;
  while (got < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const rate = got / ((last - start) / 1000);
  pub.close();
  await sub.endAsync();
  await broker.close();
  return rate;
}

const command = `RATES=${RATES.join(',')} SECONDS=${SECONDS} npm run bench:alarm-under-load`;
console.log(`# ${command}`);
console.log(`# ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const gw = await startGateway();
const health = (await (await fetch(`${gw.api}/api/health`)).json()) as { broker: { url: string } };
const url = health.broker.url;
const pub = await publisherWorker(url);
const fire = await mqtt.connectAsync(url, { clientId: 'fire-panel', clean: true, reconnectPeriod: 0 });
const stream = await alarmStream(gw.api);
const db = (): DatabaseSync => new DatabaseSync(join(dataDir, 'telemetry.db'), { readOnly: true });
const rows: string[] = [];
let storedBefore = 0;
let alarmState = false;

for (const rate of RATES) {
  const lagP99: number[] = [];
  const published: number[] = [];
  const firstArrival = stream.arrivals.length;
  const lagTimer = setInterval(() => {
    void fetch(`${gw.api}/api/health`)
      .then((r) => r.json() as Promise<{ process: { eventLoopLagMs?: { p99Ms: number } } }>)
      .then((h) => {
        if (h.process.eventLoopLagMs) lagP99.push(h.process.eventLoopLagMs.p99Ms);
      })
      .catch(() => {});
  }, 1_000);
  const fireTimer = setInterval(() => {
    alarmState = !alarmState;
    published.push(performance.now());
    fire.publish('fire/smoke-1', JSON.stringify({ alarm: alarmState }), { qos: 1 });
  }, 1_000);
  const result = await pub.run({ rate, seconds: SECONDS, prefix: 'load/pump-' });
  clearInterval(fireTimer);
  // wait for the last alarm event (bounded)
  const deadline = performance.now() + 30_000;
  while (stream.arrivals.length - firstArrival < published.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1_500)); // one more lag sample after the step
  clearInterval(lagTimer);
  const conn = db();
  const stored = Number((conn.prepare("SELECT COUNT(*) AS n FROM samples WHERE point = 'discharge_bar'").get() as { n: number }).n) - storedBefore;
  conn.close();
  storedBefore += stored;
  const latencies = published.map((t, i) => (stream.arrivals[firstArrival + i] ?? Number.NaN) - t).filter((x) => !Number.isNaN(x));
  const endToEnd = stored / (result.ms / 1000);
  const row = `| ${rate.toLocaleString('en')} | ${result.sent.toLocaleString('en')} | ${result.acked.toLocaleString('en')} | ${stored.toLocaleString('en')} | ${Math.round(endToEnd).toLocaleString('en')} | ${latencies.length}/${published.length} | ${percentile(latencies, 50).toFixed(0)} | ${percentile(latencies, 99).toFixed(0)} | ${Math.max(...lagP99, 0).toFixed(0)} |`;
  rows.push(row);
  console.log(row);
}
stream.close();
pub.close();
await fire.endAsync();
await gw.stop();
const raw = await rawCeiling(Number(process.env.RAW_N ?? 50_000));
console.log('');
console.log('| offered msg/s | sent | acknowledged | in telemetry.db | end to end msg/s | alarm events | alarm p50 ms | alarm p99 ms | event-loop lag p99 ms (worst 5 s window) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\nraw ceiling mqtt.js → aedes → mqtt.js (QoS 1, same run): ${Math.round(raw).toLocaleString('en')} msg/s; load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
rmSync(dir, { recursive: true, force: true });
