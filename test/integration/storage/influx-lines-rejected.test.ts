/**
 * A sink that answers every request but refuses every line is not healthy: against a real
 * InfluxDB 1.6 whose `pump.discharge_bar` field already exists as a string, every float line the
 * gateway writes is a field type conflict. The gateway raises `telemetry-lines-rejected` (so
 * /api/health is degraded), finds the refused lines in about one request per batch (not two per
 * line), and clears the trouble once lines are accepted again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import { LINES_REJECTED } from '../../../gateway/storage/telemetry-forwarder.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startInfluxd, type InfluxdProcess } from './servers/influxd-process.ts';
import { telemetrySite } from './telemetry-site.ts';

let influxd: InfluxdProcess;
let gw: RunningGateway | undefined;
const dir = tempDir('fgw-it-rejected-');
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await gw?.stop();
  await influxd?.destroy();
  dir.cleanup();
});

const health = async (): Promise<{ status: string; trouble?: Array<{ key: string; message: string }> }> => (await gw!.app.inject({ method: 'GET', url: '/api/health' })).json();

describe('InfluxDB 1.6 refusing every line', () => {
  it('raises telemetry-lines-rejected (health degraded), bisects in O(log n) requests, and clears when lines are accepted', async () => {
    await influxd.query('CREATE DATABASE rejecting');
    const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
    // discharge_bar becomes a string field in the shard the test writes to (field types are per
    // shard in 1.x): the gateway's float lines for it now conflict.
    const seed = await fetch(`${influxd.url}/write?db=rejecting&precision=ms`, { method: 'POST', body: `pump,device=pump-1 discharge_bar="text" ${t0 - 1}` });
    expect(seed.status).toBe(204);
    gw = await startGateway(telemetrySite(dir.path, { version: 1, url: influxd.url, db: 'rejecting', flushInterval: '200ms', batchSize: 500 }), silentLogger(), { listen: false });
    const telemetry = gw.telemetry!;
    const n = 1000;
    const samples: Sample[] = Array.from({ length: n }, (_, i) => ({ device: 'pump-1', point: 'discharge_bar', value: 4 + i / 1000, ts: t0 + i, quality: 'good' }));
    gw.bus.push(samples);
    await waitFor('every line dead-lettered', async () => telemetry.status().spool.deadLettered === n && telemetry.status().spool.depth === 0, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(telemetry.status())}`);
    });
    const status = telemetry.status();
    expect(status.writtenLines).toBe(0);
    // At most ⌈n / batchSize⌉ batches plus one halving per 500-line batch: with the server's
    // dropped=N count a wholly refused batch costs one request (before: 2·500 − 1 per batch).
    const batches = Math.ceil(n / 500);
    expect(status.requests).toBeLessThanOrEqual(batches * (1 + Math.ceil(Math.log2(500))));
    expect(status.requests).toBeLessThan(n / 10);
    await waitFor('trouble on /api/health', async () => (await health()).status === 'degraded', 10_000);
    const h = await health();
    const raised = gw.trouble.list().find((t) => t.key === LINES_REJECTED);
    expect(raised?.message).toMatch(/refused (\d+) of the last \1 lines \(100.0 %.*field type conflict/);
    expect(h.status).toBe('degraded');

    // Accepted lines again (another point): the share falls and the trouble clears.
    const good: Sample[] = Array.from({ length: 1000 }, (_, i) => ({ device: 'pump-1', point: 'bearing_temp_c', value: 40 + i / 100, ts: t0 + 10_000 + i, quality: 'good' }));
    gw.bus.push(good);
    await waitFor('the good lines written', async () => telemetry.status().writtenLines === 1000, 30_000);
    await waitFor('the trouble cleared', async () => !gw!.trouble.list().some((t) => t.key === LINES_REJECTED), 10_000);
    const back = await influxd.query('SELECT count(bearing_temp_c) FROM pump', 'rejecting');
    expect(back.results[0]?.series?.[0]?.values[0]?.[1]).toBe(1000);
  });
});
