/**
 * End to end, side by side (#20): external Mosquitto and InfluxDB 1.6 on free 127.0.0.1 ports (own
 * temp dirs), the gateway as a child process on an external-MQTT site of 100 pumps with one
 * threshold rule per pump (and 100 smoke detectors, idle but for one alarm a second), and this
 * script's own QoS 1 publisher (a worker thread with 4 mqtt.js clients). Per rate it publishes
 * N = SECONDS × rate messages and reports:
 *
 * - stored in SQLite (telemetry.db rows since the step began) and in InfluxDB (count() over the
 *   same window): every message is one row, so these are counts of distinct messages. Mosquitto
 *   acknowledges the publisher, not the gateway, so the gateway may still be behind when the last
 *   PUBACK arrives: the step waits until SQLite holds every published message (or its count stops
 *   moving for 10 s), then until InfluxDB holds as many as SQLite (both bounded by --drain-wait);
 * - the ACHIEVED publish rate (messages the broker PUBACKed / seconds from the first publish to the
 *   last PUBACK) and its ratio to the raw MQTT ceiling of the same run: at a high offered rate the
 *   publisher reaches only its own maximum, so the offered rate says little; the issue's target is
 *   lossless intake at ≥ 0.9 × that ceiling;
 * - the gateway's intake lag: seconds from the last PUBACK (of the publisher, by the broker) until
 *   SQLite holds everything (how far the gateway ran behind the broker), and the seconds until
 *   InfluxDB holds everything (target: within 10 s);
 * - the gateway's own intake rate: acknowledged messages / (publishing seconds + intake lag), i.e.
 *   how fast messages became SQLite rows end to end (lower than the achieved rate when the gateway
 *   ran behind the broker);
 * - the verdict per step: lossless (SQLite and InfluxDB hold every message, InfluxDB within 10 s)
 *   at ≥ 0.9 × the raw ceiling, or which of these failed;
 * - the InfluxDB drain rate while the publisher runs (lines the server accepted per second, from
 *   /api/health) and the spool depth when the publisher stopped;
 * - gateway CPU seconds per 1,000 messages (utime + stime from /proc/<pid>/stat, from the first
 *   publish until InfluxDB is complete) and peak RSS (VmRSS sampled every 250 ms);
 * - event-loop lag p99 (worst of /api/health's values polled each second);
 * - alarm latency: once a second a pump's discharge_bar is published above its threshold on
 *   another client; the time to the alarm's `raised` event on GET /api/events (p50/p99); the same
 *   for a smoke detector's alarm published at the same moment (bench/e2e-life-safety.ts: 100
 *   detectors on the connector's life-safety connection, or on its one connection with
 *   `--one-connection`); and the
 *   broker's own delay at the same moments: with each crossing a probe message goes to a topic
 *   only an idle subscriber of this script reads (p50/p99 publish → arrival). What an alarm takes
 *   beyond the probe is the gateway's share (at the publisher's maximum the broker, saturated,
 *   holds every incoming message back, the alarm's too);
 * - the raw ceilings in the same run, after the gateway stopped: mqtt.js → Mosquitto → mqtt.js
 *   (QoS 1; also once before the gateway starts, and the higher of the two is the ceiling the
 *   ratios and the verdict use) and batched InfluxDB writes (pre-built gzip bodies of 5,000 lines, one at a time;
 *   `--ceiling-lines`, 1,000,000 by default: over a single second the figure varied too much);
 * - the CPU floor per rate, after the ceilings: the same publisher at the same rate into a bare
 *   mqtt.js subscriber that acknowledges after a SQLite commit (bench/e2e-cpu-floor.ts), its CPU
 *   seconds per 1,000 messages in brackets beside the gateway's.
 *
 *   npm run bench:e2e -- --rates 2000,5000,10000,20000 [--seconds 10] [--write] [--cpu-prof DIR]
 *                        [--node-flag=--max-semi-space-size=16 ...]  (after the gateway's own flags)
 *                        [--backlog N] [--ceiling-lines 1000000] [--broker-inflight 20] [--one-connection]
 *
 * `--broker-inflight N` sets Mosquitto's `max_inflight_messages` (default 0 here: no limit;
 * Mosquitto's own default is 20): the QoS 1 messages the broker has out to one subscriber before
 * it waits for their PUBACKs. The gateway acknowledges after its commit, so this window, divided by
 * the time a commit takes, bounds what one gateway subscription can take from the broker.
 *
 * With `--backlog N` a last step measures the drain *with a backlog while intake runs* (#20.4):
 * InfluxDB is stopped, N messages are published (they wait in the spool), InfluxDB is started again
 * on its port and at once the publisher offers the last rate of --rates for --seconds; the InfluxDB
 * lines the gateway wrote per second while the backlog lasted (from the server's return until the
 * spool held no more than the live intake's last two batches, polled every 250 ms during the
 * intake) are compared with the raw batched-write ceiling. A backlog that outlasts the intake is
 * measured over the intake (lines written / seconds). The site's `retryMax` is 1 s for this
 * (default 30 s), so the measurement is the drain, not the forwarder's back-off after the outage.
 * The step also reports the rate from the first accepted write after the outage (the back-off's
 * last wait, up to `retryMax`, left out), the drain controller's rate (`drainLinesPerSecond` of
 * /api/health) at the first write and when the backlog was gone, and the CPU used while the backlog
 * drained (over the intake when the backlog outlasts it) by influxd, the gateway (each thread), Mosquitto and this script (the publisher), and the
 * seconds per second their threads were runnable but waiting for a core (schedstat), next to
 * influxd's and this script's CPU while the raw batched-write ceiling was measured. The health poll
 * runs every 100 ms. A last line adds up what the drain target (0.5 × the ceiling) asks of the
 * machine's cores by the run's own figures (drainBudgetLine).
 *
 * Everything started is stopped at the end, on error and on Ctrl-C.
 */
import { readFileSync, readdirSync, appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import mqtt from 'mqtt';
import { startInfluxd, type InfluxdProcess } from '../test/integration/storage/servers/influxd-process.ts';
import type { PublishJob, PublishResult } from './alarm-load-publisher.ts';
import { startBenchMosquitto, startGatewayChild, type Stoppable } from './e2e-servers.ts';
import { alarmEventStream } from './alarm-event-stream.ts';
import { cpuFloor, type CpuFloor } from './e2e-cpu-floor.ts';
import { raisedLatencies, smokeSiteLines, SmokeAlarms } from './e2e-life-safety.ts';

/** Lines of the raw batched-write ceiling (5,000 per request): a million take influxd about 4 s here; 200,000 (1 s) varied 152,000–250,000 lines/s between runs of one afternoon. */
const DEFAULT_CEILING_LINES = 1_000_000;
const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '2000,5000,10000,20000' },
    seconds: { type: 'string', default: '10' },
    'drain-wait': { type: 'string', default: '120' },
    write: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'node-flag': { type: 'string', multiple: true },
    backlog: { type: 'string', default: '0' },
    'ceiling-lines': { type: 'string', default: String(DEFAULT_CEILING_LINES) },
    'broker-inflight': { type: 'string', default: '0' },
    'one-connection': { type: 'boolean', default: false },
  },
});
const CEILING_LINES = Number(args['ceiling-lines']);
const BROKER_INFLIGHT = Number(args['broker-inflight']);
if (!Number.isInteger(BROKER_INFLIGHT) || BROKER_INFLIGHT < 0) throw new Error(`--broker-inflight must be a whole number ≥ 0 (0: no limit), not ${args['broker-inflight']}`);
const ONE_CONNECTION = args['one-connection'] === true;
const RATES = (args.rates as string).split(',').map(Number);
const SECONDS = Number(args.seconds);
const DRAIN_WAIT_S = Number(args['drain-wait']);
const PUMPS = 100;
const THRESHOLD = 50; // load values are 0..9.99; crossings publish 99
const CLIENTS = 4;
const CLK_TCK = 100;

const command = `npm run bench:e2e -- --rates ${RATES.join(',')} --seconds ${SECONDS} --drain-wait ${DRAIN_WAIT_S}${args.write ? ' --write' : ''}${args['cpu-prof'] ? ` --cpu-prof ${args['cpu-prof']}` : ''}${(args['node-flag'] ?? []).map((f) => ` --node-flag=${f}`).join('')}${Number(args.backlog) > 0 ? ` --backlog ${args.backlog}` : ''}${CEILING_LINES !== DEFAULT_CEILING_LINES ? ` --ceiling-lines ${CEILING_LINES}` : ''}${BROKER_INFLIGHT !== 0 ? ` --broker-inflight ${BROKER_INFLIGHT}` : ''}${ONE_CONNECTION ? ' --one-connection' : ''}`;
const header = `${new Date().toISOString()}, nproc ${cpus().length} (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Mosquitto max_inflight_messages ${BROKER_INFLIGHT === 0 ? '0 (no limit)' : BROKER_INFLIGHT}, smoke detectors on ${ONE_CONNECTION ? 'the one MQTT connection (--one-connection)' : 'the life-safety MQTT connection'}`;
console.log(`# ${command}\n# ${header}`);

const started: Stoppable[] = [];
const stopAll = async (): Promise<void> => {
  for (const s of started.splice(0).reverse()) await s.stop().catch((e: unknown) => console.error('stop failed', e));
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
}
/** CPU seconds of each thread of a process (`main`, or `name/tid`). */
function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = Number(tid) === pid ? 'main' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}/${tid}`;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // the thread ended
    }
  }
  return out;
}
/** Seconds a process's threads spent runnable but waiting for a core (schedstat's run-queue wait, summed). */
function runQueueWaitSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    } catch {
      // the thread ended, or no schedstat
    }
  }
  return ns / 1e9;
}
/** CPU seconds of the processes and the gateway's threads, for shares over a window. */
interface CpuSnapshot {
  readonly at: number;
  readonly procs: Record<string, number>;
  readonly gatewayThreads: Map<string, number>;
  /** run-queue wait seconds per process */
  readonly waits: Record<string, number>;
}
function cpuSnapshot(pids: Record<string, number | undefined>, gatewayPid: number): CpuSnapshot {
  const procs: Record<string, number> = {};
  const waits: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    if (pid === undefined) continue;
    procs[name] = cpuSeconds(pid);
    waits[name] = runQueueWaitSeconds(pid);
  }
  const self = process.cpuUsage();
  procs['bench (publisher)'] = (self.user + self.system) / 1e6;
  return { at: performance.now(), procs, gatewayThreads: threadCpuSeconds(gatewayPid), waits };
}
/** Cores used per process and gateway thread between two snapshots. */
function cpuShares(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const s = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(b.procs)) out[name] = Number(((v - (a.procs[name] ?? 0)) / s).toFixed(2));
  const threads = [...b.gatewayThreads].map(([name, v]) => [name, (v - (a.gatewayThreads.get(name) ?? 0)) / s] as const).filter(([, v]) => v >= 0.02);
  for (const [name, v] of threads.sort((x, y) => y[1] - x[1])) out[`gateway thread ${name}`] = Number(v.toFixed(2));
  for (const [name, v] of Object.entries(b.waits)) out[`${name} waiting for a core`] = Number(((v - (a.waits[name] ?? 0)) / s).toFixed(2));
  return out;
}
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function publisherWorker(url: string): Promise<{ run(job: PublishJob): Promise<PublishResult>; close(): Promise<void> }> {
  const worker = new Worker(new URL('./alarm-load-publisher.ts', import.meta.url), { workerData: { url, devices: PUMPS, clients: CLIENTS } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () =>
      resolve({
        run: (job) =>
          new Promise((res) => {
            worker.once('message', (r: PublishResult) => res(r));
            worker.postMessage(job);
          }),
        close: async () => {
          worker.postMessage('close');
          await Promise.race([new Promise((r) => worker.once('exit', r)), sleep(5000)]);
          await worker.terminate();
        },
      }),
    );
  });
}

/** `raised` alarm events per device with their arrival time, from the SSE stream. */
async function alarmStream(api: string): Promise<{ raised: Array<{ device: string; at: number }>; close: () => void }> {
  const raised: Array<{ device: string; at: number }> = [];
  const { close } = await alarmEventStream(api, (e) => {
    if (e.type === 'raised') raised.push({ device: e.device, at: e.at });
  });
  return { raised, close };
}

interface InfluxHealth {
  storage?: { influx?: { writtenLines?: number; drainLinesPerSecond?: number; spool?: { depth?: number; deadLettered?: number; droppedLines?: number } } };
}
async function influxHealth(api: string): Promise<InfluxHealth['storage']> {
  return ((await (await fetch(`${api}/api/health`)).json()) as InfluxHealth).storage;
}

async function influxCount(influxd: InfluxdProcess, db: string, from: number, to: number): Promise<number> {
  const r = await influxd.query(`SELECT count(discharge_bar) FROM pump WHERE time >= ${from}ms AND time < ${to}ms`, db);
  return Number(r.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

/**
 * The raw MQTT ceiling (msg/s) and the CPU per message of its whole path: Mosquitto, the publishing
 * thread and this thread, the subscriber (nothing else runs on this thread while it is measured).
 */
async function rawMqttCeiling(url: string, brokerPid: number, n: number): Promise<{ rate: number; cpuUsPerMsg: number; cores: number }> {
  const sub = await mqtt.connectAsync(url, { clientId: `raw-sub-${process.pid}`, clean: true, reconnectPeriod: 0 });
  await sub.subscribeAsync('raw/#', { qos: 1 });
  let got = 0;
  let last = 0;
  sub.on('message', () => {
    got++;
    last = performance.now();
  });
  const pub = await publisherWorker(url);
  const start = performance.now();
  const broker0 = cpuSeconds(brokerPid);
  const self0 = process.threadCpuUsage();
  const published = await pub.run({ rate: n, seconds: 1, prefix: 'raw/pump-' });
  const deadline = performance.now() + 60_000;
  while (got < n && performance.now() < deadline) await sleep(5);
  const self = process.threadCpuUsage(self0);
  const cpu = cpuSeconds(brokerPid) - broker0 + published.cpuS + (self.user + self.system) / 1e6;
  await pub.close();
  await sub.endAsync();
  return { rate: got / ((last - start) / 1000), cpuUsPerMsg: (cpu / got) * 1e6, cores: cpu / ((last - start) / 1000) };
}

async function rawInfluxCeiling(influxd: InfluxdProcess, batches: number, size: number): Promise<number> {
  await influxd.query('CREATE DATABASE raw');
  const t0 = Date.now() - 3_600_000;
  const bodies: Buffer[] = [];
  for (let b = 0; b < batches; b++) {
    const lines = Array.from({ length: size }, (_, i) => `pump,building=b1,device=pump-${i % PUMPS},floor=F1,site=bench discharge_bar=${(i % 1000) / 100} ${t0 + b * size + i}`);
    bodies.push(await promisify(gzip)(Buffer.from(lines.join('\n')), { level: constants.Z_BEST_SPEED }));
  }
  const start = performance.now();
  const pid = influxd.pid();
  const self0 = process.cpuUsage();
  const influx0 = pid === undefined ? Number.NaN : cpuSeconds(pid);
  for (const body of bodies) {
    const res = await fetch(`${influxd.url}/write?db=raw&precision=ms`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: new Uint8Array(body) });
    if (res.status !== 204) throw new Error(`raw write: HTTP ${res.status} ${await res.text()}`);
  }
  const s = (performance.now() - start) / 1000;
  const self = process.cpuUsage(self0);
  ceilingCpu = { influxd: ((pid === undefined ? Number.NaN : cpuSeconds(pid)) - influx0) / s, client: (self.user + self.system) / 1e6 / s };
  return (batches * size) / s;
}
/** Cores used by influxd and this script while the raw batched-write ceiling was measured. */
let ceilingCpu = { influxd: Number.NaN, client: Number.NaN };

interface Row {
  rate: number;
  published: number;
  acked: number;
  /** Messages PUBACKed by the broker per second of publishing (first publish → last PUBACK). */
  achieved: number;
  sqlite: number;
  sameMs: number;
  influx: number;
  completeS: number | null;
  sqliteS: number | null;
  drainedS: number | null;
  drainDuringIntake: number;
  spoolAtStop: number;
  cpuPer1k: number;
  /** CPU µs per message of the gateway, Mosquitto, influxd and the publisher together, until InfluxDB was complete. */
  pathUsPerMsg: number;
  peakRssMiB: number;
  lagP99Ms: number;
  alarms: number[];
  /** Smoke alarms: ms from publish to the `raised` event (those that came), and how many were published. */
  smokeAlarms: number[];
  smokeCrossings: number;
  /** ms from each crossing's publish until its probe reached an idle subscriber (the broker's share). */
  probes: number[];
  crossings: number;
  /** Cores used while the publisher ran, per process and gateway thread (cpuShares). */
  cores: Record<string, number>;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
const rows: Row[] = [];
let ceilings = { mqtt: Number.NaN, influx: Number.NaN };
/** The raw MQTT ceiling before the gateway's steps and after them (ceilings.mqtt is the higher). */
let mqttCeilingRuns = { before: Number.NaN, after: Number.NaN };
let rawPath = { cpuUsPerMsg: Number.NaN, cores: Number.NaN };
const floors = new Map<number, CpuFloor>();
let backlogRow:
  | {
      rate: number;
      backlog: number;
      intake: number;
      seconds: number;
      drained: number;
      spoolAtStop: number;
      clearedS: number | null;
      whileBacklog: number;
      firstWriteS: number | null;
      fromFirstWrite: number | null;
      drainRate: { atFirstWrite: number | null; atCleared: number | null; max: number };
      cpu: Record<string, number> | null;
    }
  | undefined;
try {
  const mosquitto = await startBenchMosquitto(BROKER_INFLIGHT);
  started.push(mosquitto);
  const influxd = await startInfluxd();
  started.push({ stop: () => influxd.destroy() });
  await influxd.query('CREATE DATABASE bench');
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'site.yaml');
  const smoke = smokeSiteLines();
  writeFileSync(
    configFile,
    [
      'site: { id: bench, name: End to end }',
      'buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]',
      'api: { port: 0 }',
      `storage: { dataDir: ${JSON.stringify(dataDir)}, influx: { version: 1, url: ${JSON.stringify(influxd.url)}, db: bench${Number(args.backlog) > 0 ? ', retryMax: 1s' : ''} } }`,
      'bus: { queueCapacity: 1000000 }',
      `connectors: [{ id: m, type: mqtt, url: ${JSON.stringify(mosquitto.url)}, qos: 1, lifeSafetyConnection: ${!ONE_CONNECTION} }]`,
      'rules:',
      ...Array.from({ length: PUMPS }, (_, i) => `  - { id: high-pressure-${i}, title: High discharge pressure, scope: { devices: [pump-${i}] }, when: { type: threshold, point: discharge_bar, above: ${THRESHOLD}, deadband: 1 }, priority: 2 }`),
      ...smoke.rules,
      'devices:',
      ...Array.from({ length: PUMPS }, (_, i) => `  - { id: pump-${i}, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: load/pump-${i} } }`),
      ...smoke.devices,
      '',
    ].join('\n'),
  );
  // the raw MQTT ceiling once before the gateway starts too: over a run of minutes it moved by a
  // fifth and more on this machine, and one measurement at the end made the 0.9 × verdict a matter
  // of when it was taken; the higher of the two is the one compared against
  const rawBefore = await rawMqttCeiling(mosquitto.url, mosquitto.pid, 100_000);
  const profDir = args['cpu-prof'] as string | undefined;
  const gw = await startGatewayChild(configFile, [...(args['node-flag'] ?? []), ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])]);
  started.push(gw);
  /** The processes on the path, read when called: influxd has another pid after the backlog step restarts it. */
  const pathPids = (): Record<string, number | undefined> => ({ influxd: influxd.pid(), gateway: gw.pid, mosquitto: mosquitto.pid });
  const stream = await alarmStream(gw.api);
  started.push({ stop: async () => stream.close() });
  const pub = await publisherWorker(mosquitto.url);
  started.push({ stop: () => pub.close() });
  const prober = await mqtt.connectAsync(mosquitto.url, { clientId: `probe-${process.pid}`, clean: true, reconnectPeriod: 0 });
  started.push({ stop: () => prober.endAsync() });
  const smokeAlarms = new SmokeAlarms(prober);
  started.push({ stop: async () => smokeAlarms.stop() });
  // The broker's own delay at the same moments: with each crossing the prober also publishes a
  // probe on a topic only this idle subscriber reads; probe latency = what the broker (and the
  // machine) adds before any gateway work, the rest of an alarm's latency is the gateway's.
  const probeSub = await mqtt.connectAsync(mosquitto.url, { clientId: `probe-sub-${process.pid}`, clean: true, reconnectPeriod: 0 });
  started.push({ stop: () => probeSub.endAsync() });
  await probeSub.subscribeAsync('bench-probe/#', { qos: 1 });
  const probeArrivals = new Map<string, number>();
  probeSub.on('message', (topic) => probeArrivals.set(topic, performance.now()));
  const db = new DatabaseSync(join(dataDir, 'telemetry.db'), { readOnly: true });
  started.push({ stop: async () => db.close() });
  const sqliteCount = db.prepare("SELECT COUNT(*) AS n FROM samples WHERE point = 'discharge_bar' AND ts >= ? AND ts < ?");
  const FAR = 8.64e15; // no upper bound: readings are stamped when they arrive, after the last PUBACK when the gateway is behind
  // Readings of a pump in a millisecond that already had one (seq > 0): SQLite keeps them apart,
  // InfluxDB (keyed by measurement, tags and ms timestamp) cannot.
  const repeatCount = db.prepare("SELECT COUNT(*) AS n FROM samples WHERE point = 'discharge_bar' AND ts >= ? AND ts < ? AND seq > 0");
  let crossingNo = 0;

  for (const rate of RATES) {
    await sleep(1000);
    const from = Date.now();
    const cpu0 = cpuSeconds(gw.pid);
    // the whole path's CPU: the gateway, Mosquitto, influxd (and the publishing thread, from its result)
    const path0 = cpuSeconds(mosquitto.pid) + cpuSeconds(influxd.pid() as number);
    let peakRss = rssMiB(gw.pid);
    const lag: number[] = [];
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(gw.pid))), 250);
    const lagTimer = setInterval(() => {
      void fetch(`${gw.api}/api/health`)
        .then((r) => r.json() as Promise<{ process: { eventLoopLagMs?: { p99Ms: number } } }>)
        .then((h) => h.process.eventLoopLagMs && lag.push(h.process.eventLoopLagMs.p99Ms))
        .catch(() => {});
    }, 1000);
    const crossings: Array<{ device: string; at: number }> = [];
    const firstProbe = crossingNo;
    const crossTimer = setInterval(() => {
      const device = `pump-${crossingNo++ % PUMPS}`;
      crossings.push({ device, at: performance.now() });
      prober.publish(`load/${device}`, `{"discharge_bar":99}`, { qos: 1 });
      prober.publish(`bench-probe/${crossingNo}`, '1', { qos: 1 });
      smokeAlarms.fire();
    }, 1000);
    const written0 = (await influxHealth(gw.api))?.influx?.writtenLines ?? 0;
    const intake0 = performance.now();
    const cores0 = cpuSnapshot(pathPids(), gw.pid);
    const result = await pub.run({ rate, seconds: SECONDS, prefix: 'load/pump-' });
    clearInterval(crossTimer);
    const ackedAt = performance.now();
    const cores = cpuShares(cores0, cpuSnapshot(pathPids(), gw.pid));
    const atStop = (await influxHealth(gw.api))?.influx;
    const drainDuringIntake = ((atStop?.writtenLines ?? 0) - written0) / ((ackedAt - intake0) / 1000);
    const spoolAtStop = atStop?.spool?.depth ?? Number.NaN;
    const expected = result.acked + crossings.length;
    const deadline = performance.now() + DRAIN_WAIT_S * 1000;
    // SQLite: until every published message is a row, or the count stopped moving for 10 s
    let sqlite = 0;
    let sqliteS: number | null = null;
    let movedAt = performance.now();
    for (;;) {
      const n = Number((sqliteCount.get(from, FAR) as { n: number }).n);
      if (n !== sqlite) movedAt = performance.now();
      sqlite = n;
      if (sqlite >= expected) {
        sqliteS = (performance.now() - ackedAt) / 1000;
        break;
      }
      if (performance.now() - movedAt > 10_000 || performance.now() > deadline) break;
      await sleep(200);
    }
    const sameMs = Number((repeatCount.get(from, FAR) as { n: number }).n);
    const to = Date.now() + 1;
    let influx = 0;
    let completeS: number | null = null;
    let drainedS: number | null = null;
    let spoolLoss = { deadLettered: 0, dropped: 0 };
    let previous = -1;
    for (;;) {
      // The spool's depth before the count: at 0, every line the gateway spooled had been accepted
      // by InfluxDB before the count was asked. (Read after the count, a last request settled in
      // between made a count taken while it was still out look final: "NOT lossless" with every
      // point in InfluxDB, seen with bigger batches as 507–1,040 points "short".)
      const health = await influxHealth(gw.api);
      const settled = health?.influx?.spool?.depth === 0;
      influx = await influxCount(influxd, 'bench', from, to);
      if (influx >= sqlite) {
        completeS = (performance.now() - ackedAt) / 1000;
        break;
      }
      // The spool was empty before this count and the count stopped moving: what is missing will not come.
      spoolLoss = { deadLettered: health?.influx?.spool?.deadLettered ?? 0, dropped: health?.influx?.spool?.droppedLines ?? 0 };
      if (settled && influx === previous) {
        drainedS = (performance.now() - ackedAt) / 1000;
        break;
      }
      previous = influx;
      if (performance.now() > deadline) break;
      await sleep(500);
    }
    clearInterval(rssTimer);
    clearInterval(lagTimer);
    const cpu = cpuSeconds(gw.pid) - cpu0;
    const pathCpu = cpu + cpuSeconds(mosquitto.pid) + cpuSeconds(influxd.pid() as number) - path0 + result.cpuS;
    const latencies = crossings
      .map((c) => stream.raised.find((r) => r.device === c.device && r.at >= c.at))
      .map((r, i) => (r ? r.at - (crossings[i] as { at: number }).at : Number.NaN));
    const alarms = latencies.filter((x) => !Number.isNaN(x));
    const smokeCrossings = smokeAlarms.take();
    const smokeLatencies = raisedLatencies(smokeCrossings, stream.raised).filter((x) => !Number.isNaN(x));
    const probes = crossings.flatMap((c, i) => {
      const at = probeArrivals.get(`bench-probe/${firstProbe + i + 1}`);
      return at === undefined ? [] : [at - c.at];
    });
    // when the slow alarms happened: seconds into the step (start-up of the path, or the gateway falling behind)
    const slowAlarms = latencies.flatMap((ms, i) => (ms >= 500 ? [{ atS: Number((((crossings[i] as { at: number }).at - intake0) / 1000).toFixed(1)), ms: Math.round(ms) }] : []));
    const achieved = result.acked / (result.ms / 1000);
    const row: Row = { rate, published: result.sent, acked: result.acked, achieved, sqlite, sameMs, influx, completeS, sqliteS, drainedS, drainDuringIntake, spoolAtStop, cpuPer1k: cpu / ((result.sent + crossings.length) / 1000), pathUsPerMsg: (pathCpu / (result.sent + crossings.length)) * 1e6, peakRssMiB: peakRss, lagP99Ms: Math.max(0, ...lag), alarms, smokeAlarms: smokeLatencies, smokeCrossings: smokeCrossings.length, probes, crossings: crossings.length, cores };
    rows.push(row);
    console.log(JSON.stringify({ ...row, spoolLoss, alarms: undefined, smokeAlarms: undefined, probes: undefined, slowAlarms, alarmP50Ms: percentile(alarms, 50), alarmP99Ms: percentile(alarms, 99), smokeP50Ms: percentile(smokeLatencies, 50), smokeP99Ms: percentile(smokeLatencies, 99), probeP50Ms: percentile(probes, 50), probeP99Ms: percentile(probes, 99), loadavg: loadavg()[0] }));
  }
  const BACKLOG = Number(args.backlog);
  if (BACKLOG > 0) {
    const rate = RATES.at(-1) as number;
    await influxd.stop();
    const filled = await pub.run({ rate, seconds: BACKLOG / rate, prefix: 'load/pump-' });
    // the backlog is in the spool once SQLite holds it (both are written in one worker step)
    const spoolDepth = async (): Promise<number> => (await influxHealth(gw.api))?.influx?.spool?.depth ?? 0;
    const deadline = performance.now() + DRAIN_WAIT_S * 1000;
    while ((await spoolDepth()) < filled.acked && performance.now() < deadline) await sleep(200);
    const backlogAtStart = await spoolDepth();
    await influxd.start();
    const written0 = (await influxHealth(gw.api))?.influx?.writtenLines ?? 0;
    const t0 = performance.now();
    const pids = pathPids();
    const cpu0 = cpuSnapshot(pids, gw.pid);
    // the backlog is gone once the spool holds no more than two live batches (the defaults' 5,000 lines each)
    let cleared: { s: number; written: number; cpu: CpuSnapshot; rate: number | null } | undefined;
    let first: { s: number; written: number; rate: number | null } | undefined;
    let maxRate = 0;
    const watch = setInterval(() => {
      if (cleared) return;
      void influxHealth(gw.api)
        .then((h) => {
          if (cleared) return;
          const s = (performance.now() - t0) / 1000;
          const written = (h?.influx?.writtenLines ?? 0) - written0;
          const rate = h?.influx?.drainLinesPerSecond ?? null;
          maxRate = Math.max(maxRate, rate ?? 0);
          if (!first && written > 0) first = { s, written, rate };
          if ((h?.influx?.spool?.depth ?? Infinity) <= 10_000) cleared = { s, written, cpu: cpuSnapshot(pids, gw.pid), rate };
        })
        .catch(() => {});
    }, 100);
    const intake = await pub.run({ rate, seconds: SECONDS, prefix: 'load/pump-' });
    clearInterval(watch);
    // a backlog that outlasts the intake: the cores used over the intake
    const cpuAtStop = cpuSnapshot(pids, gw.pid);
    const seconds = (performance.now() - t0) / 1000;
    const atStop = (await influxHealth(gw.api))?.influx;
    const drained = ((atStop?.writtenLines ?? 0) - written0) / seconds;
    const f = first as { s: number; written: number; rate: number | null } | undefined;
    const c = cleared as { s: number; written: number; cpu: CpuSnapshot; rate: number | null } | undefined;
    backlogRow = {
      rate,
      backlog: backlogAtStart,
      intake: intake.acked,
      seconds,
      drained,
      spoolAtStop: atStop?.spool?.depth ?? Number.NaN,
      clearedS: c?.s ?? null,
      whileBacklog: c ? c.written / c.s : drained,
      firstWriteS: f?.s ?? null,
      fromFirstWrite: c && f && c.s > f.s ? (c.written - f.written) / (c.s - f.s) : null,
      drainRate: { atFirstWrite: f?.rate ?? null, atCleared: c?.rate ?? null, max: maxRate },
      cpu: cpuShares(cpu0, c ? c.cpu : cpuAtStop),
    };
    console.log(JSON.stringify({ backlogRow, loadavg: loadavg()[0] }));
  }
  await stopAll();
  // Ceilings after the gateway stopped, with fresh servers (same machine, same run).
  const mosq2 = await startBenchMosquitto(BROKER_INFLIGHT);
  started.push(mosq2);
  const influx2 = await startInfluxd();
  started.push({ stop: () => influx2.destroy() });
  const raw = await rawMqttCeiling(mosq2.url, mosq2.pid, 100_000);
  const higher = raw.rate >= rawBefore.rate ? raw : rawBefore;
  rawPath = { cpuUsPerMsg: higher.cpuUsPerMsg, cores: higher.cores };
  mqttCeilingRuns = { before: rawBefore.rate, after: raw.rate };
  ceilings = { mqtt: higher.rate, influx: await rawInfluxCeiling(influx2, Math.max(1, Math.round(CEILING_LINES / 5000)), 5000) };
  for (const r of rows) {
    const floor = await cpuFloor(mosq2.url, dir, r.rate, SECONDS, publisherWorker, cpuSeconds);
    floors.set(r.rate, floor);
    console.log(JSON.stringify({ cpuFloor: floor }));
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
/** Acknowledged messages per second from the first publish until SQLite held them all. */
const intakeRate = (r: Row): number => r.acked / (r.acked / r.achieved + (r.sqliteS ?? Number.NaN));
/** The issue's target for one step: lossless (InfluxDB complete within 10 s) at ≥ 0.9 × the raw MQTT ceiling. */
function verdict(r: Row): string {
  const ratio = r.achieved / ceilings.mqtt;
  const lossless = r.sqliteS !== null && r.completeS !== null && r.completeS <= 10;
  const alarmsOk = r.alarms.length === r.crossings && percentile(r.alarms, 99) < 1000;
  const smokeOk = r.smokeAlarms.length === r.smokeCrossings && percentile(r.smokeAlarms, 99) < 1000;
  const parts = [lossless ? 'lossless' : 'NOT lossless', Number.isFinite(ratio) ? (ratio >= 0.9 ? '≥ 0.9×' : '< 0.9×') : 'ceiling ?', alarmsOk ? 'alarm p99 < 1 s' : 'alarm p99 ≥ 1 s', smokeOk ? 'smoke p99 < 1 s' : 'smoke p99 ≥ 1 s'];
  return parts.join(', ');
}
const table = [
  '| offered msg/s | achieved msg/s (× raw MQTT ceiling) | gateway intake msg/s (×) | published (+ crossings) | acknowledged | in SQLite (same-ms repeats) | in InfluxDB | intake lag s (last PUBACK → SQLite complete) | s until InfluxDB complete | InfluxDB lines/s during intake (spool depth at stop) | CPU s / 1,000 msgs (floor) | peak RSS MiB | event-loop lag p99 ms | alarm latency p50 / p99 ms (n) | smoke alarm latency p50 / p99 ms (n) | broker own delay (probe) p50 / p99 ms | verdict |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${fmt(r.rate)} | ${fmt(r.achieved)} (${(r.achieved / ceilings.mqtt).toFixed(2)}×) | ${r.sqliteS !== null ? `${fmt(intakeRate(r))} (${(intakeRate(r) / ceilings.mqtt).toFixed(2)}×)` : '–'} | ${fmt(r.published)} (+${r.crossings}) | ${fmt(r.acked)} | ${fmt(r.sqlite)} (${fmt(r.sameMs)}) | ${fmt(r.influx)} | ${r.sqliteS !== null ? r.sqliteS.toFixed(1) : `not complete (${fmt(r.published + r.crossings - r.sqlite)} short)`} | ${r.completeS !== null ? r.completeS.toFixed(1) : r.drainedS !== null ? `never (spool empty after ${r.drainedS.toFixed(1)} s, ${fmt(r.sqlite - r.influx)} short)` : `not within ${DRAIN_WAIT_S} s`} | ${fmt(r.drainDuringIntake)} (${fmt(r.spoolAtStop)}) | ${r.cpuPer1k.toFixed(3)} (${floors.get(r.rate)?.cpuPer1k.toFixed(3) ?? '–'}) | ${fmt(r.peakRssMiB)} | ${fmt(r.lagP99Ms)} | ${fmt(percentile(r.alarms, 50))} / ${fmt(percentile(r.alarms, 99))} (${r.alarms.length}/${r.crossings}) | ${fmt(percentile(r.smokeAlarms, 50))} / ${fmt(percentile(r.smokeAlarms, 99))} (${r.smokeAlarms.length}/${r.smokeCrossings}) | ${fmt(percentile(r.probes, 50))} / ${fmt(percentile(r.probes, 99))} | ${verdict(r)} |`,
  ),
];
const footer = `Raw ceilings in the same run: mqtt.js → Mosquitto → mqtt.js (QoS 1) ${fmt(ceilings.mqtt)} msg/s (the higher of ${fmt(mqttCeilingRuns.before)} before the gateway's steps and ${fmt(mqttCeilingRuns.after)} after them); batched InfluxDB writes (${fmt(CEILING_LINES)} lines in 5,000-line gzip bodies, one at a time) ${fmt(ceilings.influx)} lines/s. CPU floor (in brackets after the gateway's CPU): the same publisher at the same rate into a bare mqtt.js QoS 1 subscriber that acknowledges each event-loop turn's messages after one SQLite commit (bench/cpu-floor-subscriber.ts), its CPU s / 1,000 messages: ${[...floors.values()].map((f) => `${fmt(f.rate)}: ${f.cpuPer1k.toFixed(3)} (${f.cores.toFixed(2)} cores, ${fmt(f.received)} received)`).join('; ') || '–'}. Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`;
const cores = availableParallelism();
/** What CPU alone allows: no path costing `us` CPU µs per message carries more than cores / us on this machine. */
const cpuBound = (us: number): number => (cores * 1e6) / us;
const cpuLine = `\nCPU of the whole path per message (the gateway, Mosquitto, influxd and the publisher, from the first publish until InfluxDB was complete): ${rows.map((r) => `${fmt(r.rate)}: ${r.pathUsPerMsg.toFixed(1)} µs (sustained at most ${fmt(cpuBound(r.pathUsPerMsg))} msg/s on ${cores} cores = ${(cpuBound(r.pathUsPerMsg) / ceilings.mqtt).toFixed(2)} × the raw ceiling)`).join('; ')}. The raw path (publisher, Mosquitto, subscriber) used ${rawPath.cpuUsPerMsg.toFixed(1)} µs per message at its ceiling, ${rawPath.cores.toFixed(2)} cores. Lossless at 0.9 × the raw ceiling needs the whole path at or under ${(cores * 1e6 / (0.9 * ceilings.mqtt)).toFixed(1)} µs per message.`;
// The gateway's CPU per message depends on how many messages each batch carries, not only on the
// rate: these shares show whether it used more cores at a higher rate or the same cores on bigger batches.
const coresLine = `\nCores used while the publisher ran (per process, the gateway's threads, seconds per second waiting for a core): ${rows.map((r) => `${fmt(r.rate)}${r.acked < r.published ? ` (averaged over the publisher's whole run, which waited up to 60 s for ${fmt(r.published - r.acked)} PUBACKs the broker never sent it)` : ''}: ${Object.entries(r.cores).map(([k, v]) => `${k} ${v}`).join(', ')}`).join('; ')}.`;
const backlogLine = backlogRow
  ? `\nDrain with a backlog while intake runs: ${fmt(backlogRow.backlog)} lines in the spool when InfluxDB came back, then ${fmt(backlogRow.intake)} messages at ${fmt(backlogRow.rate)} msg/s offered over ${backlogRow.seconds.toFixed(1)} s: ${backlogRow.clearedS !== null ? `the backlog was written after ${backlogRow.clearedS.toFixed(1)} s, at ${fmt(backlogRow.whileBacklog)} lines/s (live lines included)` : `the backlog outlasted the intake: ${fmt(backlogRow.whileBacklog)} lines/s`} = **${(backlogRow.whileBacklog / ceilings.influx).toFixed(2)} × the raw batched-write ceiling**; over the whole intake ${fmt(backlogRow.drained)} lines/s, ${fmt(backlogRow.spoolAtStop)} lines in the spool when the publisher stopped. First accepted write ${backlogRow.firstWriteS !== null ? `${backlogRow.firstWriteS.toFixed(1)} s after InfluxDB's return` : 'not seen'}; from it until the backlog was gone ${backlogRow.fromFirstWrite !== null ? `${fmt(backlogRow.fromFirstWrite)} lines/s = ${(backlogRow.fromFirstWrite / ceilings.influx).toFixed(2)} ×` : '–'}. Drain controller's rate: ${fmt(backlogRow.drainRate.atFirstWrite ?? Number.NaN)} lines/s at the first write, ${fmt(backlogRow.drainRate.atCleared ?? Number.NaN)} when the backlog was gone (max ${fmt(backlogRow.drainRate.max)}). Cores used while the backlog drained: ${backlogRow.cpu ? Object.entries(backlogRow.cpu).map(([k, v]) => `${k} ${v}`).join(', ') : '–'}; while the ceiling was measured: influxd ${ceilingCpu.influxd.toFixed(2)}, client ${ceilingCpu.client.toFixed(2)}.`
  : '';
/**
 * What the drain target (0.5 × the raw batched-write ceiling while intake runs at the backlog's
 * rate) asks of this machine's cores, by this run's own figures: influxd at half its cores at the
 * ceiling (the same CPU per line), sending the lines at half the raw writer's cores (gzip and HTTP;
 * the gateway also reads and settles its spool, so this part is a lower bound), and the intake
 * step at the same rate: Mosquitto, the publisher and the gateway. Then the same with the gateway's
 * intake at the CPU target (0.05 core-s per 1,000 messages) and at the floor.
 */
function drainBudgetLine(): string {
  if (!backlogRow) return '';
  const intake = rows.find((r) => r.rate === backlogRow?.rate);
  if (!intake) return '';
  const influxNeed = ceilingCpu.influxd / 2;
  const sendNeed = ceilingCpu.client / 2;
  const others = (intake.cores.mosquitto ?? Number.NaN) + (intake.cores['bench (publisher)'] ?? Number.NaN);
  const gateway = intake.cores.gateway ?? Number.NaN;
  const atTarget = (0.05 * intake.rate) / 1000;
  const floor = floors.get(intake.rate)?.cores ?? Number.NaN;
  const rest = influxNeed + sendNeed + others;
  const c = (x: number): string => x.toFixed(2);
  return `\nWhat 0.5 × the batched-write ceiling needs while intake runs at ${fmt(intake.rate)} msg/s, by this run's figures (cores): influxd ${c(influxNeed)} (half its cores at the ceiling), sending the lines at least ${c(sendNeed)} (half the raw writer's), Mosquitto and the publisher ${c(others)} and the gateway's intake ${c(gateway)} (the intake step at that rate): **${c(rest + gateway)} of ${cores}**; with the gateway's intake at the CPU target (${c(atTarget)}): ${c(rest + atTarget)}; at the floor (${c(floor)}): ${c(rest + floor)}.`;
}
const budgetLine = drainBudgetLine();
console.log(`\n${table.join('\n')}\n\n${footer}${cpuLine}${coresLine}${backlogLine}${budgetLine}`);
if (args.write) {
  appendFileSync('BENCHMARKS.md', `\n### End to end (\`${command}\`)\n\n${header}.\n\n${table.join('\n')}\n\n${footer}${cpuLine}${coresLine}${backlogLine}${budgetLine}\n`);
  console.log('appended to BENCHMARKS.md');
}
