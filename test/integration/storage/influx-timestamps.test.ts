/**
 * Timestamps as the gateway writes them, into a real InfluxDB 1.6 (`influxd`, started here on free
 * ports), through the gateway's own composition (encoder with its same-millisecond tie-breaker →
 * spool → forwarder → v1 writer):
 * - readings of one point in the same millisecond, split across two bus batches, and readings
 *   before 1970 are all stored, each at its own nanosecond;
 * - samples whose time InfluxDB cannot hold (before 1677-09-21 or after 2262-04-11: a source clock
 *   in microseconds read as milliseconds, a year 1600) are refused by the server alone: they go to
 *   the dead letters with the server's reason naming the line, every other line of their batch is
 *   stored, and nothing is retried;
 * - a source clock stuck on one millisecond: the millionth reading of a point and the next ones are
 *   stored at ms × 10⁶ + k (before, k's seventh digit made the time ten times larger: refused as
 *   outside the range, or before 1999-03 stored silently in the 2200s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { RealClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import { InfluxTelemetry, deviceSeries } from '../../../gateway/storage/influx-telemetry.ts';
import { influxSchema, type InfluxV1Config } from '../../../gateway/storage/influx-schema.ts';
import { InfluxV1Writer } from '../../../gateway/storage/influx-v1-writer.ts';
import { encodeSamples, SameMillisecondTies } from '../../../gateway/storage/line-protocol.ts';
import { SqliteSpool } from '../../../gateway/storage/sqlite-spool.ts';
import { TelemetryForwarder } from '../../../gateway/storage/telemetry-forwarder.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startInfluxd, type InfluxdProcess } from './servers/influxd-process.ts';

let influxd: InfluxdProcess;
const dir = tempDir('fgw-it-ts-');
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.destroy();
  dir.cleanup();
});

const location = { site: 's', building: 'b1', floor: 'F1' };
const DEVICES: DeviceInfo[] = [
  { id: 'pump-1', name: 'pump 1', kind: 'pump', location, connector: 'c' },
  { id: 'smoke-1', name: 'smoke 1', kind: 'smoke_detector', location, connector: 'c' },
  { id: 'panel-1', name: 'panel 1', kind: 'fire_panel', location, connector: 'c' },
];

/** [time in ns, value] of `field` in `measurement`, read back with nanosecond epochs. */
async function rowsNs(db: string, measurement: string, field: string): Promise<Array<[string, unknown]>> {
  const params = new URLSearchParams({ db, q: `SELECT "${field}" FROM "${measurement}"`, epoch: 'ns' });
  const res = await fetch(`${influxd.url}/query?${params}`);
  // ns epochs exceed 2^53: read them as text
  const text = (await res.text()).replace(/\[(-?\d+),/g, '["$1",');
  const body = JSON.parse(text) as { results: Array<{ series?: Array<{ values: Array<[string, unknown]> }> }> };
  return body.results[0]?.series?.[0]?.values ?? [];
}

describe('InfluxDB 1.6: timestamps as the gateway writes them', () => {
  it('same-millisecond readings are stored apart; times outside InfluxDB range are dead-lettered alone, naming the line', async () => {
    await influxd.query('CREATE DATABASE ts');
    const config = influxSchema.parse({ version: 1, url: influxd.url, db: 'ts', flushInterval: '100ms' });
    const telemetry = new InfluxTelemetry(config, { dataDir: dir.path, devices: DEVICES, buildingNames: new Map(), clock: new RealClock(), log: silentLogger() });
    try {
      telemetry.start();
      const t0 = Date.UTC(2026, 10, 30, 11, 0, 0, 123);
      const good = (point: string, value: number, ts: number, device = 'pump-1'): Sample => ({ device, point, value, ts, quality: 'good' });
      const microsAsMillis = t0 * 1000; // a source clock in µs taken for ms: the year 57,000
      const year1600 = Date.UTC(1600, 0, 1);
      // one millisecond, five readings of one point, across two batches; a bad time in each batch
      telemetry.accept([good('discharge_bar', 1, t0), good('discharge_bar', 2, t0), good('bearing_temp_c', 40, t0), good('obscuration_pct_m', 9, microsAsMillis, 'smoke-1'), good('discharge_bar', 3, t0)]);
      telemetry.accept([good('discharge_bar', 4, t0), good('battery_v', 27, year1600, 'panel-1'), good('discharge_bar', 5, t0), good('obscuration_pct_m', 0.5, t0, 'smoke-1')]);
      // before 1970, two readings in one millisecond
      telemetry.accept([good('discharge_bar', 6, -1), good('discharge_bar', 7, -1)]);

      await waitFor('every line settled', async () => telemetry.status().spool.depth === 0, 30_000);
      const st = telemetry.status();
      expect(st.spool.deadLettered).toBe(2);
      expect(st.writtenPoints).toBe(9);

      const ns = (ms: number, k: number): string => (BigInt(ms) * 1_000_000n + BigInt(k)).toString();
      expect(await rowsNs('ts', 'pump', 'discharge_bar')).toEqual([
        [ns(-1, 0), 6],
        [ns(-1, 1), 7],
        [ns(t0, 0), 1],
        [ns(t0, 1), 2],
        [ns(t0, 2), 3],
        [ns(t0, 3), 4],
        [ns(t0, 4), 5],
      ]);
      expect(await rowsNs('ts', 'pump', 'bearing_temp_c')).toEqual([[ns(t0, 0), 40]]);
      expect(await rowsNs('ts', 'smoke_detector', 'obscuration_pct_m')).toEqual([[ns(t0, 0), 0.5]]);
      expect(await rowsNs('ts', 'fire_panel', 'battery_v')).toEqual([]);

      const dead = telemetry.spool.deadLetters(10);
      const smokeLine = `smoke_detector,building=b1,device=smoke-1,floor=F1,site=s obscuration_pct_m=9 ${ns(microsAsMillis, 0)}`;
      const panelLine = `fire_panel,building=b1,device=panel-1,floor=F1,site=s battery_v=27 ${ns(year1600, 0)}`;
      expect(dead.map((d) => d.line).sort()).toEqual([panelLine, smokeLine].sort());
      for (const d of dead) expect(d.reason).toContain(`HTTP 400: unable to parse '${d.line}': `);
      // each bad line cost its batch one refusal, no retries: at most one request more than batches
      expect(st.requests).toBeLessThanOrEqual(st.failedRequests + 3);
      expect(st.failedRequests).toBeLessThanOrEqual(2);
      expect(st.state).toBe('ok');
    } finally {
      await telemetry.stop();
    }
  });
  it('a source clock stuck on one millisecond: the millionth reading and on are stored at ms × 10⁶ + k', async () => {
    await influxd.query('CREATE DATABASE stuck');
    const spoolDir = tempDir('fgw-it-stuck-');
    const clock = new RealClock();
    const config = influxSchema.parse({ version: 1, url: influxd.url, db: 'stuck' }) as InfluxV1Config;
    const spool = new SqliteSpool(`${spoolDir.path}/spool.db`, { maxBytes: 1 << 20 });
    const fwd = new TelemetryForwarder({ spool, writer: new InfluxV1Writer(config, clock), clock, log: silentLogger(), batchSize: 100, flushIntervalMs: 100, drainLinesPerSecond: 10_000, retryMinMs: 100, retryMaxMs: 500 });
    try {
      const series = deviceSeries(DEVICES, new Map());
      const ties = new SameMillisecondTies();
      // two devices whose clocks stopped: 2000-01-01 (the old text was outside InfluxDB's range) and
      // 1998-01-01 (the old text was a valid time in 2250); 999,998 readings of each already written
      const y2000 = Date.UTC(2000, 0, 1);
      const y1998 = Date.UTC(1998, 0, 1);
      for (let i = 0; i < 999_998; i++) {
        ties.next('pump-1', 'discharge_bar', y2000);
        ties.next('smoke-1', 'obscuration_pct_m', y1998);
      }
      const stuck = (device: string, point: string, value: number, ts: number): Sample => ({ device, point, value, ts, quality: 'good' });
      const out = encodeSamples(
        [1, 2, 3].flatMap((v) => [stuck('pump-1', 'discharge_bar', v, y2000), stuck('smoke-1', 'obscuration_pct_m', v, y1998)]),
        (d) => series.get(d),
        ties,
      );
      fwd.append(out.lines);
      fwd.start();
      await waitFor('the lines settled', async () => spool.stats().depth === 0, 30_000);
      expect(spool.deadLetters(10)).toEqual([]);
      const ns = (ms: number, k: number): string => (BigInt(ms) * 1_000_000n + BigInt(k)).toString();
      expect(await rowsNs('stuck', 'pump', 'discharge_bar')).toEqual([
        [ns(y2000, 999_998), 1],
        [ns(y2000, 999_999), 2],
        [ns(y2000, 1_000_000), 3],
      ]);
      expect(await rowsNs('stuck', 'smoke_detector', 'obscuration_pct_m')).toEqual([
        [ns(y1998, 999_998), 1],
        [ns(y1998, 999_999), 2],
        [ns(y1998, 1_000_000), 3],
      ]);
    } finally {
      await fwd.stop();
      spool.close();
      spoolDir.cleanup();
    }
  });
});
