/**
 * Memory (#20.5): the gateway's resident set (VmRSS of the child process) with 1, 100, 1,000 and
 * 10,000 MQTT pumps bound (embedded broker, no traffic), after start-up and SETTLE_S seconds idle,
 * and the RSS per 1,000 bound points between the sizes (the slope from the 1-device process).
 *
 * With `--rate R` (e.g. 10000), each site then takes R QoS 1 msg/s for `--seconds` (a publisher
 * worker, 4 mqtt.js clients, messages spread over the site's pumps) and the peak RSS under load is
 * reported too, and the RSS `--settle` seconds after the load (what the traffic left behind: per-point
 * state made by the first samples, pages kept). Under load /api/health is read every 500 ms: the
 * highest main-thread heap used, bus backlog (samples queued for the slowest consumer) and broker
 * messages awaiting storage, and how long the read-ahead bound (bus.pauseIntakeAt) held publishers back.
 *
 * The gateway runs as installed (GATEWAY_NODE_FLAGS, a compile cache): one unmeasured start first
 * fills the cache, as any start after the first finds it.
 *
 * With `--snapshot DIR` the largest site's main thread writes a heap snapshot into DIR 90 % into its
 * load (`--heapsnapshot-signal`); `npm run bench:heap-summary -- FILE` lists what it holds.
 *
 *   npm run bench:memory [-- --devices 1,100,1000,10000] [--settle 10] [--rate 10000 --seconds 10] [--snapshot DIR]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { pointsOf } from '../gateway/model/device-kinds.ts';
import type { PublishJob, PublishResult } from './alarm-load-publisher.ts';
import { BENCH_COMPILE_CACHE, startGatewayChild } from './e2e-servers.ts';
import { memorySiteFile } from './memory-site.ts';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '1,100,1000,10000' },
    settle: { type: 'string', default: '10' },
    rate: { type: 'string', default: '0' },
    seconds: { type: 'string', default: '10' },
    /** Write a heap snapshot of the largest site's main thread near the end of its load (into DIR). */
    snapshot: { type: 'string' },
    /** Sample the main thread's memory (heap committed/used, old space, external) in the gateway (bench/memory-probe.ts). */
    probe: { type: 'boolean', default: false },
    /** Extra Node flags for the gateway (repeatable), e.g. --node-flag=--optimize-for-size. */
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});
const RATE = Number(args.rate);
const LOAD_S = Number(args.seconds);

/** Publish `rate` msg/s for `seconds` to mem/pump-<i>, i over `devices`; resolves when acknowledged. */
async function publish(url: string, devices: number, rate: number, seconds: number): Promise<PublishResult> {
  const worker = new Worker(new URL('./alarm-load-publisher.ts', import.meta.url), { workerData: { url, devices, clients: 4 } });
  await new Promise((r) => worker.once('message', r));
  const result = await new Promise<PublishResult>((resolve) => {
    worker.once('message', (m: PublishResult) => resolve(m));
    worker.postMessage({ rate, seconds, prefix: 'mem/pump-' } satisfies PublishJob);
  });
  await worker.terminate();
  return result;
}
const SIZES = (args.devices as string).split(',').map(Number);
const SETTLE_S = Number(args.settle);
const POINTS_PER_PUMP = pointsOf('pump').length;

/** User + system CPU seconds of a process so far (/proc/PID/stat, clock ticks of 1/100 s). */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rss = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;

console.log(`# npm run bench:memory -- --devices ${SIZES.join(',')} --settle ${SETTLE_S}${RATE > 0 ? ` --rate ${RATE} --seconds ${LOAD_S}` : ''}`);
console.log(`# ${new Date().toISOString()}, nproc ${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

{
  // warm-up: fills the compile cache (BENCH_COMPILE_CACHE) the measured starts read
  const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const warm = await startGatewayChild(memorySiteFile(dir, 1));
  await fetch(`${warm.api}/api/health`);
  await warm.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(`# compile cache ${BENCH_COMPILE_CACHE} warm`);
}
interface HealthProbe {
  process: { heapUsedBytes: number };
  queues: Array<{ depth: number; priorityDepth?: number }>;
  broker: { intake?: { unstored: number; pausedMs: number; pauses: number } } | null;
}
const results: Array<{
  devices: number;
  points: number;
  rssMiB: number;
  loadPeakMiB?: number;
  afterLoadMiB?: number;
  acked?: number;
  /** Highest main heap used, bus backlog (samples) and unstored messages seen under load; s paused (read-ahead bound). */
  probe?: { heapMiB: number; backlog: number; unstored: number; pausedS: number; pauses: number };
  /** Gateway CPU seconds (user + system) from the first publish to the last PUBACK. */
  loadCpuS?: number;
  /** --probe: the highest MiB of each of the main thread's memory figures over the site's whole life. */
  mainThreadMax?: Record<string, number>;
}> = [];
/** The median of 5 RSS samples 400 ms apart. */
async function medianRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rss(pid));
    await new Promise((r) => setTimeout(r, 400));
  }
  return [...samples].sort((a, b) => a - b)[2] as number;
}
for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const configFile = memorySiteFile(dir, n);
  const snapshotHere = args.snapshot !== undefined && RATE > 0 && n === Math.max(...SIZES);
  const probeFile = join(dir, 'memory-probe.json');
  if (args.probe) process.env.MEMORY_PROBE_FILE = probeFile;
  const gw = await startGatewayChild(configFile, [
    ...(args['node-flag'] as string[]),
    ...(args.probe ? ['--import', new URL('./memory-probe.ts', import.meta.url).pathname] : []),
    ...(snapshotHere ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${args.snapshot}`] : []),
  ]);
  try {
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    await fetch(`${gw.api}/api/health`); // one request served
    const median = await medianRss(gw.pid);
    const row: (typeof results)[number] = { devices: n, points: n * POINTS_PER_PUMP, rssMiB: median };
    if (RATE > 0) {
      const health = (await (await fetch(`${gw.api}/api/health`)).json()) as { broker: { url: string } };
      let peak = median;
      const timer = setInterval(() => (peak = Math.max(peak, rss(gw.pid))), 250);
      // where the load waits: the bus's queues, the main heap and the broker's read-ahead, from /api/health every 500 ms
      const probe = { heapMiB: 0, backlog: 0, unstored: 0, pausedS: 0, pauses: 0 };
      const probing = setInterval(() => {
        fetch(`${gw.api}/api/health`)
          .then(async (res) => {
            const h = (await res.json()) as HealthProbe;
            probe.heapMiB = Math.max(probe.heapMiB, h.process.heapUsedBytes / 2 ** 20);
            probe.backlog = Math.max(probe.backlog, ...h.queues.map((q) => q.depth - (q.priorityDepth ?? 0)));
            const intake = h.broker?.intake;
            if (intake) {
              probe.unstored = Math.max(probe.unstored, intake.unstored);
              probe.pausedS = intake.pausedMs / 1000;
              probe.pauses = intake.pauses;
            }
          })
          .catch(() => undefined);
      }, 500);
      const snapshotTimer = snapshotHere ? setTimeout(() => process.kill(gw.pid, 'SIGUSR2'), LOAD_S * 900) : undefined;
      const cpu0 = cpuSeconds(gw.pid);
      const result = await publish(health.broker.url, n, RATE, LOAD_S);
      row.loadCpuS = Math.round((cpuSeconds(gw.pid) - cpu0) * 10) / 10;
      clearTimeout(snapshotTimer);
      clearInterval(timer);
      clearInterval(probing);
      row.loadPeakMiB = peak;
      row.probe = { ...probe, heapMiB: Math.round(probe.heapMiB) };
      row.acked = result.acked;
      // what the traffic left behind (per-point state made by the first samples, pages kept)
      await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
      row.afterLoadMiB = await medianRss(gw.pid);
    }
    if (args.probe) row.mainThreadMax = JSON.parse(readFileSync(probeFile, 'utf8')) as Record<string, number>;
    results.push(row);
    console.log(JSON.stringify(results.at(-1)));
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
const base = results[0];
console.log(`\n| devices | bound points | RSS MiB (idle, median of 5) | MiB per 1,000 points above the smallest site |${RATE > 0 ? ` peak RSS MiB at ${RATE} msg/s (acknowledged) | MiB per 1,000 points, peak | RSS MiB ${SETTLE_S} s after the load | MiB per 1,000 points, after the load | under load: main heap MiB / bus backlog / unstored msgs (max); s paused |` : ''}`);
console.log(`|---|---|---|---|${RATE > 0 ? '---|---|---|---|---|' : ''}`);
for (const r of results) {
  const slopeOf = (v: number | undefined, b: number | undefined): string => (base && r !== base && v !== undefined && b !== undefined ? ((v - b) / ((r.points - base.points) / 1000)).toFixed(2) : '–');
  const slope = slopeOf(r.rssMiB, base?.rssMiB);
  const load =
    RATE > 0
      ? ` ${r.loadPeakMiB?.toFixed(0) ?? '–'} (${r.acked?.toLocaleString('en') ?? '–'}) | ${slopeOf(r.loadPeakMiB, base?.loadPeakMiB)} | ${r.afterLoadMiB?.toFixed(0) ?? '–'} | ${slopeOf(r.afterLoadMiB, base?.afterLoadMiB)} | ${r.probe ? `${r.probe.heapMiB} / ${r.probe.backlog.toLocaleString('en')} / ${r.probe.unstored.toLocaleString('en')}; ${r.probe.pausedS.toFixed(1)}` : '–'} |`
      : '';
  console.log(`| ${r.devices.toLocaleString('en')} | ${r.points.toLocaleString('en')} | ${r.rssMiB.toFixed(0)} | ${slope} |${load}`);
}
console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
