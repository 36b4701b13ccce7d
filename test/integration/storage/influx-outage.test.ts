/**
 * InfluxDB 1.6 stopped for 60 s under a steady stream of samples, then started again: every
 * sample arrives exactly once (counts and values compared), the backlog drains, live data flows.
 */
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import { waitFor } from '../../support/wait-for.ts';
import { influxdSuite } from './servers/influxd-suite.ts';
import { telemetrySite } from './telemetry-site.ts';

const OUTAGE_MS = 60_000;
const TICK_MS = 50; // 20 lines/s per device

const suite = influxdSuite('fgw-it-outage-');

describe('InfluxDB outage under a steady stream', () => {
  it(`stop the server for ${OUTAGE_MS / 1000} s, start it again: every sample exactly once`, { timeout: OUTAGE_MS * 4 + 150_000 }, async () => {
    const { influxd } = suite;
    const gw = suite.keep(
      await startGateway(
        telemetrySite(suite.dir, { version: 1, url: influxd.url, db: 'telemetry', flushInterval: '250ms', retryMin: '500ms', retryMax: '2s', timeout: '2s', drainLinesPerSecond: 500 }),
        silentLogger(),
        { listen: false },
      ),
    );
    const telemetry = gw.telemetry!;
    const bus = gw.bus;
    const sent = new Map<number, number>(); // ts → value (pump-1.flow_m3h and smoke-1.battery_pct)
    const t0 = Date.now() - 3_600_000;
    let seq = 0;
    const stream = setInterval(() => {
      const ts = t0 + seq;
      const value = Math.round(Math.sin(seq / 10) * 1000) / 100 + seq;
      sent.set(ts, value);
      const batch: Sample[] = [
        { device: 'pump-1', point: 'flow_m3h', value, ts, quality: 'good' },
        { device: 'smoke-1', point: 'battery_pct', value, ts, quality: 'good' },
      ];
      bus.push(batch);
      seq++;
    }, TICK_MS);

    try {
      await waitFor('live data flowing', async () => telemetry.status().writtenLines > 40, 10_000);
      await influxd.stop();
      const stoppedAt = Date.now();
      await waitFor('the outage noticed', async () => telemetry.status().state === 'retrying', 10_000);
      // the server stays down until the spool holds an outage's worth of lines (OUTAGE_MS of ticks,
      // two lines each): counted in lines, so a slow machine makes the outage longer, never the test flaky
      const outageLines = (OUTAGE_MS / TICK_MS) * 2 * 0.8;
      await waitFor('an outage worth of lines in the spool', async () => telemetry.status().spool.depth > outageLines && Date.now() - stoppedAt > OUTAGE_MS * 0.8, OUTAGE_MS * 4, 100);
      const during = telemetry.status();
      expect(during.spool.depth).toBeGreaterThan(((OUTAGE_MS / TICK_MS) * 2) * 0.8);
      expect(during.spool.oldestAgeMs).toBeGreaterThan(OUTAGE_MS * 0.8);
      await influxd.start();
      await waitFor('the sink back', async () => telemetry.status().state === 'ok', 10_000, 50);
      // Live data keeps flowing while the backlog (~2,400 lines, drained from 500 lines/s up as the
      // server keeps answering: adaptive drain) drains; live and backlog batches take turns.
      const liveTs = t0 + seq + 10;
      await waitFor('a live sample written', async () => {
        const r = await influxd.query(`SELECT flow_m3h FROM pump WHERE time = ${liveTs}ms`, 'telemetry');
        return (r.results[0]?.series?.[0]?.values.length ?? 0) === 1;
      }, 5_000, 100);
      // live data keeps coming while the backlog drains, until it is nearly gone
      await waitFor('the backlog to drain under live data', async () => telemetry.status().spool.depth < 100, 60_000, 100);
    } finally {
      clearInterval(stream);
    }
    await bus.drain();
    // the status comes from the storage worker (after each write and every second): wait until it
    // reports the last append too, not only an empty spool from just before it
    await waitFor('spool drained', async () => telemetry.status().appendedLines === sent.size * 2 && telemetry.status().spool.depth === 0 && telemetry.status().state === 'ok', 30_000, 200);

    const status = telemetry.status();
    expect(status.writtenLines).toBe(status.appendedLines); // nothing written twice, nothing lost
    expect(status.appendedLines).toBe(sent.size * 2);
    for (const device of ['pump-1', 'smoke-1']) {
      const field = device === 'pump-1' ? 'flow_m3h' : 'battery_pct';
      const body = await influxd.query(`SELECT ${field} FROM ${device === 'pump-1' ? 'pump' : 'smoke_detector'} WHERE device = '${device}'`, 'telemetry');
      const rows = body.results[0]?.series?.[0]?.values ?? [];
      expect(rows.length, device).toBe(sent.size);
      for (const [ts, value] of rows as Array<[number, number]>) expect(value, `${device}@${ts}`).toBe(sent.get(ts));
    }
  });
});
