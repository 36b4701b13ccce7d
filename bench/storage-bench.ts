/**
 * npm run bench:storage — telemetry path figures, bounded in time (one to two minutes):
 *   1. points/s into the durable spool (encode + SQLite append with synchronous=FULL);
 *   2. drain rate of a full spool into InfluxDB 1.6 by our forwarder (as configured by default: the
 *      drain starts at `drainLinesPerSecond` and follows the server; and started at the controller's
 *      maximum), beside a minimal writer and a raw writer posting the same lines pre-built with
 *      nothing in between (the server's batched-write ceiling: 5,000-line bodies one at a time, as
 *      bench:e2e measures it; and in our backlog lane's shape, 20,000-line bodies two in flight),
 *      all in the same run;
 *   3. end to end with the server up: samples in → points written.
 * Starts its own influxd on free ports (test/integration/storage/servers/influxd-process.ts).
 *
 * Flags: --parts spool,drain,e2e (default all), --rounds N (drain rounds, default 3),
 * --lines N (lines drained per round, default 100,000), --help.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import { pointsOf, type DeviceKind } from '../gateway/model/device-kinds.ts';
import type { DeviceInfo } from '../gateway/model/device.ts';
import type { Sample } from '../gateway/model/sample.ts';
import { InfluxTelemetry, deviceSeries } from '../gateway/storage/influx-telemetry.ts';
import { influxSchema, type InfluxV1Config } from '../gateway/storage/influx-schema.ts';
import { InfluxV1Writer } from '../gateway/storage/influx-v1-writer.ts';
import { encodeSamples, LINE_PRECISION } from '../gateway/storage/line-protocol.ts';
import { BACKLOG_BATCH_FACTOR, BACKLOG_REQUESTS_IN_FLIGHT } from '../gateway/storage/drain-controller.ts';
import { SqliteSpool } from '../gateway/storage/sqlite-spool.ts';
import { TelemetryForwarder } from '../gateway/storage/telemetry-forwarder.ts';
import { startInfluxd } from '../test/integration/storage/servers/influxd-process.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { median } from './median.ts';

const HELP = `npm run bench:storage -- [--parts spool,drain,e2e] [--rounds 3] [--lines 100000]
  spool  encode + append into the durable spool (points/s)
  drain  a full spool drained into InfluxDB 1.6 by the forwarder (default config; and started at
         the controller's maximum) beside a minimal and a raw writer (the server's ceiling)
  e2e    samples in → InfluxDB with the server up (100,000 points/s offered for 8 s)`;
const args = parseArgs({
  options: {
    parts: { type: 'string', default: 'spool,drain,e2e' },
    rounds: { type: 'string', default: '3' },
    lines: { type: 'string', default: '100000' },
    help: { type: 'boolean', default: false },
  },
});
if (args.values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const PARTS = new Set(args.values.parts.split(',').map((p) => p.trim()));
for (const p of PARTS) if (!['spool', 'drain', 'e2e'].includes(p)) throw new Error(`--parts: unknown part "${p}" (spool, drain, e2e)`);
const ROUNDS = Number(args.values.rounds);
const DRAIN_LINES = Number(args.values.lines);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds: a whole number ≥ 1, got "${args.values.rounds}"`);
if (!Number.isInteger(DRAIN_LINES) || DRAIN_LINES < 5_000) throw new Error(`--lines: a whole number ≥ 5000, got "${args.values.lines}"`);

const gzipAsync = promisify(gzip);
const clock = new RealClock();
const KINDS: DeviceKind[] = ['elevator', 'pump', 'fire_panel', 'access_door', 'smoke_detector'];
const DEVICES: DeviceInfo[] = Array.from({ length: 200 }, (_, i) => {
  const kind = KINDS[i % KINDS.length] as DeviceKind;
  return {
    id: `${kind}-${i}`,
    name: `${kind} ${i}`,
    kind,
    location: { site: 'bench', building: `b${i % 4}`, floor: `F${i % 10}` },
    connector: 'bench',
    ...(kind === 'fire_panel' ? { zones: 8 } : {}),
  };
});
const BUILDING_NAMES = new Map([
  ['b0', '一号楼 Building 1'],
  ['b1', '二号楼 Building 2'],
  ['b2', '三号楼'],
  ['b3', 'Annex, east'],
]);
const POINTS = new Map(DEVICES.map((d) => [d.id, pointsOf(d.kind, d.zones === undefined ? {} : { zones: d.zones })]));

/** One scan of every point of every device at `ts`. */
function scan(ts: number, n: number): Sample[] {
  const out: Sample[] = [];
  for (const d of DEVICES) {
    for (const p of POINTS.get(d.id) ?? []) {
      const value = p.type === 'boolean' ? (n + p.name.length) % 2 === 0 : p.type === 'number' ? (n % 1000) / 10 + p.name.length : p.values ? (p.values[n % p.values.length] as string) : `badge-${n}`;
      out.push({ device: d.id, point: p.name, value, ts, quality: 'good' });
    }
  }
  return out;
}
const POINTS_PER_SCAN = scan(0, 0).length;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rows: string[] = [];
function report(what: string, value: string): void {
  rows.push(`| ${what} | ${value} |`);
  process.stdout.write(`${what}: ${value}\n`);
}

/** 1. Encode + append into the SQLite spool: bus-sized batches (10,000 samples) and small ones. */
function spoolIngest(dir: string, samplesPerAppend: number, seconds: number): { pointsPerS: number; linesPerS: number } {
  const spool = new SqliteSpool(join(dir, `ingest-${samplesPerAppend}.db`), { maxBytes: 1024 ** 3 });
  const series = deviceSeries(DEVICES, BUILDING_NAMES);
  const scans = Math.max(1, Math.floor(samplesPerAppend / POINTS_PER_SCAN));
  const started = performance.now();
  let points = 0;
  let lines = 0;
  let n = 0;
  const t0 = Date.UTC(2026, 0, 1);
  while (performance.now() - started < seconds * 1000) {
    const batch: Sample[] = [];
    for (let k = 0; k < scans; k++, n++) batch.push(...scan(t0 + n * 1000, n));
    const out = encodeSamples(samplesPerAppend < POINTS_PER_SCAN ? batch.slice(0, samplesPerAppend) : batch, (d) => series.get(d));
    spool.append(out.lines, Date.now());
    points += out.points;
    lines += out.lines.length;
  }
  const elapsed = (performance.now() - started) / 1000;
  spool.close();
  return { pointsPerS: points / elapsed, linesPerS: lines / elapsed };
}

function linesFor(count: number, t0: number): { lines: string[]; points: number } {
  const series = deviceSeries(DEVICES, BUILDING_NAMES);
  const lines: string[] = [];
  let points = 0;
  for (let n = 0; lines.length < count; n++) {
    const out = encodeSamples(scan(t0 + n * 1000, n), (d) => series.get(d));
    lines.push(...out.lines);
    points += out.points;
  }
  return { lines: lines.slice(0, count), points: Math.round((points * count) / lines.length) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(', ');

async function main(): Promise<void> {
  const dir = tempDir('fgw-bench-', { ram: false }); // the disk is what this measures
  const influxd = await startInfluxd();
  const startedAll = performance.now();
  try {
    process.stdout.write(`command: npm run bench:storage -- --parts ${[...PARTS].join(',')} --rounds ${ROUNDS} --lines ${DRAIN_LINES}\ndate: ${new Date().toISOString()}\nload average at start: ${load()}\n`);
    process.stdout.write(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}, InfluxDB 1.6.7\n`);
    process.stdout.write(`workload: ${DEVICES.length} devices of 5 kinds, ${POINTS_PER_SCAN} points per scan, about ${(POINTS_PER_SCAN / DEVICES.length).toFixed(1)} points per line\n\n`);

    if (PARTS.has('spool')) {
      const big = spoolIngest(dir.path, 10_000, 5);
      report('into the spool, 10,000-sample appends (points/s)', `${fmt(big.pointsPerS)} (${fmt(big.linesPerS)} lines/s)`);
      const small = spoolIngest(dir.path, 100, 3);
      report('into the spool, 100-sample appends (points/s)', `${fmt(small.pointsPerS)} (${fmt(small.linesPerS)} lines/s)`);
    }
    if (PARTS.has('drain')) await drain(dir.path, influxd);
    if (PARTS.has('e2e')) await endToEnd(dir.path, influxd);

    process.stdout.write(`\n| measure | result |\n|---|---|\n${rows.join('\n')}\n\nload average at the end: ${load()}\ntotal bench time ${((performance.now() - startedAll) / 1000).toFixed(0)} s\n`);
  } finally {
    await influxd.destroy();
    dir.cleanup();
  }
}

type Influxd = Awaited<ReturnType<typeof startInfluxd>>;

/**
 * 2. Drain: ours vs a minimal writer vs raw pre-built bodies, interleaved in rounds (the machine is
 * shared and the server compacts in the background: medians). Every writer posts the lines
 * `encodeSamples` made, with the precision they are written in (nanoseconds, LINE_PRECISION).
 */
async function drain(dirPath: string, influxd: Influxd): Promise<void> {
  const N = DRAIN_LINES;
  const BATCH = 5_000;
  const { lines, points } = linesFor(N, Date.UTC(2026, 1, 1));
  let dbSeq = 0;
  const freshDb = async (): Promise<string> => {
    const db = `bench_${dbSeq++}`;
    await influxd.query(`CREATE DATABASE ${db}`);
    return db;
  };
  const post = async (db: string, body: Uint8Array, gz: boolean): Promise<void> => {
    const res = await fetch(`${influxd.url}/write?db=${db}&precision=${LINE_PRECISION}`, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: gz ? { 'content-encoding': 'gzip' } : {} });
    if (res.status !== 204) throw new Error(`write: ${res.status} ${await res.text()}`);
  };
  /** The spool full of the lines, drained by the forwarder as the gateway composes it; lines/s. */
  const ours = async (label: string, gz: boolean, drainLinesPerSecond: number | undefined): Promise<number> => {
    const db = await freshDb();
    const spool = new SqliteSpool(join(dirPath, `drain-${label}-${gz}-${dbSeq}.db`), { maxBytes: 1024 ** 3 });
    for (let i = 0; i < N; i += 10_000) spool.append(lines.slice(i, i + 10_000), Date.now());
    const config = influxSchema.parse({ version: 1, url: influxd.url, db, gzip: gz, ...(drainLinesPerSecond === undefined ? {} : { drainLinesPerSecond }) }) as InfluxV1Config;
    const fwd = new TelemetryForwarder({
      spool,
      writer: new InfluxV1Writer(config, clock),
      clock,
      log: silentLogger(),
      batchSize: config.batchSize,
      flushIntervalMs: config.flushInterval,
      drainLinesPerSecond: config.drainLinesPerSecond,
      requestTimeoutMs: config.timeout,
      retryMinMs: config.retryMin,
      retryMaxMs: config.retryMax,
    });
    const t = performance.now();
    fwd.start();
    // the backlog lane waits on its token bucket between requests (idle() would resolve then):
    // done when every line is settled
    const deadline = t + 300_000;
    while (spool.stats().depth > 0 && performance.now() < deadline) await sleep(2);
    const lps = N / ((performance.now() - t) / 1000);
    const st = fwd.status();
    await fwd.stop();
    spool.close();
    if (st.writtenLines !== N) throw new Error(`drain incomplete (${label}): ${st.writtenLines}/${N} written, ${st.spool.deadLettered} refused (${st.lastError?.message ?? ''})`);
    return lps;
  };
  for (const gz of [true, false]) {
    const prebuild = async (size: number): Promise<Buffer[]> => {
      const bodies: Buffer[] = [];
      for (let i = 0; i < N; i += size) {
        const text = Buffer.from(lines.slice(i, i + size).join('\n'));
        bodies.push(gz ? await gzipAsync(text, { level: constants.Z_BEST_SPEED }) : text);
      }
      return bodies;
    };
    const prebuilt = await prebuild(BATCH);
    // the request shape of our backlog lane: BACKLOG_BATCH_FACTOR batches a request, that many in flight
    const BIG = BATCH * BACKLOG_BATCH_FACTOR;
    const prebuiltBig = await prebuild(BIG);
    const raw: number[] = [];
    const rawBig: number[] = [];
    const minimal: number[] = [];
    const oursDefault: number[] = [];
    const oursMax: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // raw: pre-built bodies, one request in flight, nothing else in the way (server ceiling)
      let db = await freshDb();
      let t = performance.now();
      for (const body of prebuilt) await post(db, body, gz);
      raw.push(N / ((performance.now() - t) / 1000));

      // raw in our backlog lane's shape: pre-built 20,000-line bodies, two requests in flight
      db = await freshDb();
      t = performance.now();
      let next = 0;
      const sender = async (): Promise<void> => {
        while (next < prebuiltBig.length) await post(db, prebuiltBig[next++] as Buffer, gz);
      };
      await Promise.all(Array.from({ length: BACKLOG_REQUESTS_IN_FLIGHT }, sender));
      rawBig.push(N / ((performance.now() - t) / 1000));

      // minimal: joins (and gzips) each batch from lines in memory, no spool
      db = await freshDb();
      t = performance.now();
      for (let i = 0; i < N; i += BATCH) {
        const text = Buffer.from(lines.slice(i, i + BATCH).join('\n'));
        await post(db, gz ? await gzipAsync(text, { level: constants.Z_BEST_SPEED }) : text, gz);
      }
      minimal.push(N / ((performance.now() - t) / 1000));

      oursDefault.push(await ours('default', gz, undefined));
      oursMax.push(await ours('max', gz, 2_000_000));
    }
    const label = gz ? 'gzip' : 'no gzip';
    // ratios round by round (each against the raw writers of its own round, the load then), median
    const ratio = (xs: number[], to: number[]): string => median(xs.map((x, i) => x / (to[i] as number))).toFixed(2);
    const show = (xs: number[], withRatio = true): string =>
      `${fmt(median(xs))} lines/s = ${fmt((median(xs) * points) / N)} points/s${withRatio ? ` (${ratio(xs, raw)} × raw, ${ratio(xs, rawBig)} × raw in our shape; medians of the rounds' ratios)` : ''} (rounds: ${xs.map(fmt).join(', ')})`;
    report(`drain into InfluxDB 1.6, ours: spool → forwarder → v1 writer, default config (starts at 20,000 lines/s, adapts; ${label})`, show(oursDefault));
    report(`drain, ours started at the controller's maximum (2,000,000 lines/s; ${label})`, show(oursMax));
    report(`minimal in-memory writer, same lines (${label}, join${gz ? ' + gzip' : ''} per ${BATCH}-line request, no spool)`, show(minimal));
    report(`raw writer, same lines in pre-built bodies (${label}, ${fmt(BATCH)}-line requests one at a time) — the server's batched-write ceiling ("raw")`, show(raw, false));
    report(`raw writer in our backlog lane's shape (${label}, ${fmt(BIG)}-line pre-built bodies, ${BACKLOG_REQUESTS_IN_FLIGHT} in flight)`, show(rawBig, false));
  }
}

/** 3. End to end with the server up: samples → encode → spool → InfluxDB. */
async function endToEnd(dirPath: string, influxd: Influxd): Promise<void> {
  await influxd.query('CREATE DATABASE e2e');
  const e2eConfig = influxSchema.parse({ version: 1, url: influxd.url, db: 'e2e', flushInterval: '200ms' }) as InfluxV1Config;
  const telemetry = new InfluxTelemetry(e2eConfig, { dataDir: dirPath, devices: DEVICES, buildingNames: BUILDING_NAMES, clock, log: silentLogger() });
  telemetry.start();
  const SECONDS = 8;
  const TARGET_POINTS_PER_S = 100_000;
  const scansPerTick = Math.max(1, Math.round(TARGET_POINTS_PER_S / 10 / POINTS_PER_SCAN));
  let n = 0;
  let offered = 0;
  const t0 = Date.UTC(2026, 2, 1);
  const startE2e = performance.now();
  while (performance.now() - startE2e < SECONDS * 1000) {
    const tickStart = performance.now();
    const batch: Sample[] = [];
    for (let k = 0; k < scansPerTick; k++, n++) batch.push(...scan(t0 + n * 1000, n));
    telemetry.accept(batch);
    offered += batch.length;
    await sleep(Math.max(0, 100 - (performance.now() - tickStart)));
  }
  const deadline = Date.now() + 60_000;
  while (telemetry.status().spool.depth > 0 && Date.now() < deadline) await sleep(20);
  const e2eS = (performance.now() - startE2e) / 1000;
  const st = telemetry.status();
  await telemetry.stop();
  report(`end to end, server up (offered ${fmt(offered / SECONDS)} points/s for ${SECONDS} s)`, `${fmt(st.writtenPoints / e2eS)} points/s written, ${fmt(st.writtenPoints)} of ${fmt(offered)} points, spool left ${st.spool.depth}, ${st.spool.deadLettered} lines refused`);
}

await main();
