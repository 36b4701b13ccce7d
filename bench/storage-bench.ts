/**
 * npm run bench:storage — telemetry path figures, bounded in time (about a minute):
 *   1. points/s into the durable spool (encode + SQLite append with synchronous=FULL);
 *   2. drain rate of a full spool into InfluxDB 1.6 (our forwarder, drain cap off), beside a raw
 *      line-protocol writer posting the same lines with nothing in between (the server's ceiling);
 *   3. end to end with the server up: samples in → points written.
 * Starts its own influxd on free ports (test/integration/storage/servers/influxd-process.ts).
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import { pointsOf, type DeviceKind } from '../gateway/model/device-kinds.ts';
import type { DeviceInfo } from '../gateway/model/device.ts';
import type { Sample } from '../gateway/model/sample.ts';
import { InfluxTelemetry, deviceSeries } from '../gateway/storage/influx-telemetry.ts';
import { influxSchema, type InfluxV1Config } from '../gateway/storage/influx-schema.ts';
import { InfluxV1Writer } from '../gateway/storage/influx-v1-writer.ts';
import { encodeSamples } from '../gateway/storage/line-protocol.ts';
import { SqliteSpool } from '../gateway/storage/sqlite-spool.ts';
import { TelemetryForwarder } from '../gateway/storage/telemetry-forwarder.ts';
import { startInfluxd } from '../test/integration/storage/servers/influxd-process.ts';
import { tempDir } from '../test/support/temp-dir.ts';

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

async function main(): Promise<void> {
  const dir = tempDir('fgw-bench-', { ram: false }); // the disk is what this measures
  const influxd = await startInfluxd();
  const startedAll = performance.now();
  try {
    process.stdout.write(`command: npm run bench:storage\ndate: ${new Date().toISOString()}\nmachine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}, InfluxDB 1.6.7\n`);
    process.stdout.write(`workload: ${DEVICES.length} devices of 5 kinds, ${POINTS_PER_SCAN} points per scan, about ${(POINTS_PER_SCAN / DEVICES.length).toFixed(1)} points per line\n\n`);

    // 1. into the spool
    const big = spoolIngest(dir.path, 10_000, 5);
    report('into the spool, 10,000-sample appends (points/s)', `${fmt(big.pointsPerS)} (${fmt(big.linesPerS)} lines/s)`);
    const small = spoolIngest(dir.path, 100, 3);
    report('into the spool, 100-sample appends (points/s)', `${fmt(small.pointsPerS)} (${fmt(small.linesPerS)} lines/s)`);

    // 2. drain: ours vs a minimal writer vs raw pre-built bodies, interleaved in rounds (the
    //    machine is shared and the server compacts in the background: medians of 3 rounds).
    const N = 100_000;
    const BATCH = 5_000;
    const ROUNDS = 3;
    const { lines, points } = linesFor(N, Date.UTC(2026, 1, 1));
    let dbSeq = 0;
    const freshDb = async (): Promise<string> => {
      const db = `bench_${dbSeq++}`;
      await influxd.query(`CREATE DATABASE ${db}`);
      return db;
    };
    const post = async (db: string, body: Uint8Array, gz: boolean): Promise<void> => {
      const res = await fetch(`${influxd.url}/write?db=${db}&precision=ms`, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: gz ? { 'content-encoding': 'gzip' } : {} });
      if (res.status !== 204) throw new Error(`write: ${res.status} ${await res.text()}`);
    };
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    for (const gz of [true, false]) {
      const prebuilt: Buffer[] = [];
      for (let i = 0; i < N; i += BATCH) {
        const text = Buffer.from(lines.slice(i, i + BATCH).join('\n'));
        prebuilt.push(gz ? await gzipAsync(text, { level: constants.Z_BEST_SPEED }) : text);
      }
      const raw: number[] = [];
      const minimal: number[] = [];
      const ours: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // raw: pre-built bodies, one request in flight, nothing else in the way (server ceiling)
        let db = await freshDb();
        let t = performance.now();
        for (const body of prebuilt) await post(db, body, gz);
        raw.push(N / ((performance.now() - t) / 1000));

        // minimal: joins (and gzips) each batch from lines in memory, no spool
        db = await freshDb();
        t = performance.now();
        for (let i = 0; i < N; i += BATCH) {
          const text = Buffer.from(lines.slice(i, i + BATCH).join('\n'));
          await post(db, gz ? await gzipAsync(text, { level: constants.Z_BEST_SPEED }) : text, gz);
        }
        minimal.push(N / ((performance.now() - t) / 1000));

        // ours: the spool full of the same lines, drained by the forwarder with the cap off
        db = await freshDb();
        const spool = new SqliteSpool(join(dir.path, `drain-${gz}-${round}.db`), { maxBytes: 1024 ** 3 });
        for (let i = 0; i < N; i += 10_000) spool.append(lines.slice(i, i + 10_000), Date.now());
        const config = influxSchema.parse({ version: 1, url: influxd.url, db, gzip: gz }) as InfluxV1Config;
        const fwd = new TelemetryForwarder({ spool, writer: new InfluxV1Writer(config, clock), clock, log: silentLogger(), batchSize: BATCH, flushIntervalMs: 1000, drainLinesPerSecond: 1e12, retryMinMs: 500, retryMaxMs: 2000 });
        t = performance.now();
        fwd.start();
        await fwd.idle(); // the sender stops when the backlog is empty
        ours.push(N / ((performance.now() - t) / 1000));
        const st = fwd.status();
        await fwd.stop();
        spool.close();
        if (st.writtenLines !== N) throw new Error(`drain incomplete: ${st.writtenLines}/${N} (${st.lastError?.message ?? ''})`);
      }
      const label = gz ? 'gzip' : 'no gzip';
      const show = (xs: number[]): string => `${fmt(median(xs))} lines/s = ${fmt((median(xs) * points) / N)} points/s (rounds: ${xs.map(fmt).join(', ')})`;
      report(`drain into InfluxDB 1.6, ours: spool → forwarder → v1 writer (${label}, ${BATCH}-line batches)`, show(ours));
      report(`minimal in-memory writer, same lines (${label}, join${gz ? ' + gzip' : ''} per request, no spool)`, show(minimal));
      report(`raw writer, same bodies pre-built (${label}) — the server's ceiling`, show(raw));
    }

    // 3. end to end with the server up: samples → encode → spool → InfluxDB
    await influxd.query('CREATE DATABASE e2e');
    const e2eConfig = influxSchema.parse({ version: 1, url: influxd.url, db: 'e2e', flushInterval: '200ms' }) as InfluxV1Config;
    const telemetry = new InfluxTelemetry(e2eConfig, { dataDir: dir.path, devices: DEVICES, buildingNames: BUILDING_NAMES, clock, log: silentLogger() });
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
      const spare = 100 - (performance.now() - tickStart);
      await new Promise((r) => setTimeout(r, Math.max(0, spare)));
    }
    const deadline = Date.now() + 60_000;
    while (telemetry.status().spool.depth > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const e2eS = (performance.now() - startE2e) / 1000;
    const st = telemetry.status();
    await telemetry.stop();
    report(`end to end, server up (offered ${fmt(offered / SECONDS)} points/s for ${SECONDS} s)`, `${fmt(st.writtenPoints / e2eS)} points/s written, ${fmt(st.writtenPoints)} of ${fmt(offered)} points, spool left ${st.spool.depth}`);

    process.stdout.write(`\n| measure | result |\n|---|---|\n${rows.join('\n')}\n\ntotal bench time ${((performance.now() - startedAll) / 1000).toFixed(0)} s\n`);
  } finally {
    await influxd.destroy();
    dir.cleanup();
  }
}

await main();
