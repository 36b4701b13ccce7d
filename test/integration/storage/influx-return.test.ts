/**
 * InfluxDB 1.6 restarted while the forwarder waits out a 60 s back-off: the gateway notices the
 * server listening again (a TCP probe every 250 ms while the sink is unreachable) and writes the
 * lines spooled meanwhile long before the back-off would have ended.
 */
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { waitFor } from '../../support/wait-for.ts';
import { influxdSuite } from './servers/influxd-suite.ts';
import { telemetrySite } from './telemetry-site.ts';

const suite = influxdSuite('fgw-it-return-');

const BACK_OFF = 60_000;

describe('InfluxDB back while the forwarder backs off', () => {
  it('is written to within seconds of its return, not after the 60 s back-off', { timeout: BACK_OFF + 60_000 }, async () => {
    const { influxd } = suite;
    const gw = suite.keep(
      await startGateway(
        telemetrySite(suite.dir, { version: 1, url: influxd.url, db: 'telemetry', flushInterval: '100ms', retryMin: `${BACK_OFF / 1000}s`, retryMax: `${BACK_OFF / 1000}s`, timeout: '2s' }),
        silentLogger(),
        { listen: false },
      ),
    );
    const telemetry = gw.telemetry!;
    const t0 = Date.now() - 60_000;
    gw.bus.push([{ device: 'pump-1', point: 'flow_m3h', value: 1, ts: t0, quality: 'good' }]);
    await waitFor('the first line written', async () => telemetry.status().writtenLines === 1, 10_000);

    await influxd.stop();
    gw.bus.push([{ device: 'pump-1', point: 'flow_m3h', value: 2, ts: t0 + 1, quality: 'good' }]);
    await waitFor('the write refused: the sink is retrying', async () => telemetry.status().state === 'retrying', 10_000);
    const failed = telemetry.status();
    expect(failed.lastError?.message).toMatch(/ECONNREFUSED|fetch failed/);
    expect((failed.retryAt ?? 0) - Date.now()).toBeGreaterThan(BACK_OFF / 2); // the back-off is long

    await influxd.start();
    // The wait's bound (15 s) is a quarter of the back-off: only the probe can make this in time.
    await waitFor('the spooled line written after the return', async () => telemetry.status().writtenLines === 2 && telemetry.status().state === 'ok', 15_000, 100);
    expect(Date.now()).toBeLessThan(failed.retryAt ?? 0);
    const r = await influxd.query(`SELECT flow_m3h FROM pump WHERE device = 'pump-1'`, 'telemetry');
    expect((r.results[0]?.series?.[0]?.values ?? []).map((v) => v[1])).toEqual([1, 2]);
  });
});
