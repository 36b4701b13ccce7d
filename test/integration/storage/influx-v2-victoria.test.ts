/**
 * The v2 writer (official @influxdata/influxdb-client) against VictoriaMetrics, which accepts the
 * InfluxDB v2 write API: numbers and booleans read back through /api/v1/export with the tags
 * (Chinese included) and the millisecond timestamps. VictoriaMetrics stores numbers only, so
 * string fields are not compared here (InfluxDB 1.6 covers them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startVictoriaMetrics, type VmProcess, type VmSeries } from './servers/victoria-metrics-process.ts';
import { telemetrySite } from './telemetry-site.ts';

let vm: VmProcess;
const dir = tempDir('fgw-it-v2-');
let gw: RunningGateway | undefined;
beforeAll(async () => {
  vm = await startVictoriaMetrics();
});
afterAll(async () => {
  await gw?.stop();
  await vm?.destroy();
  dir.cleanup();
});

describe('InfluxDB v2 API through the official client (VictoriaMetrics)', () => {
  it('writes numbers and booleans with tags and ms timestamps', async () => {
    gw = await startGateway(
      telemetrySite(dir.path, { version: 2, url: vm.url, org: 'facility', bucket: 'telemetry', token: 'any-token', flushInterval: '200ms' }),
      silentLogger(),
      { listen: false },
    );
    const t0 = Date.now() - 60_000;
    const samples: Sample[] = [];
    for (let i = 0; i < 20; i++) {
      const ts = t0 + i * 1000 + 7;
      samples.push(
        { device: 'pump-1', point: 'discharge_bar', value: 4 + i / 8, ts, quality: 'good' },
        { device: 'pump-1', point: 'running', value: i % 2 === 0, ts, quality: 'good' },
        { device: 'smoke-1', point: 'obscuration_pct_m', value: i * 0.5, ts, quality: 'good' },
      );
    }
    gw.bus.push(samples);
    const telemetry = gw.telemetry!;
    await waitFor('all lines written', async () => telemetry.status().writtenLines === 40 && telemetry.status().spool.depth === 0, 20_000);
    expect(telemetry.status()).toMatchObject({ state: 'ok', writtenPoints: 60, failedRequests: 0 });

    let series: VmSeries[] = [];
    await waitFor('series searchable', async () => {
      series = await vm.exportSeries('{__name__=~"pump_.*|smoke_detector_.*"}');
      return series.reduce((n, s) => n + s.values.length, 0) === 60;
    }, 15_000, 250);
    const byName = new Map(series.map((s) => [s.metric.__name__, s]));
    const discharge = byName.get('pump_discharge_bar')!;
    expect(discharge.metric).toMatchObject({ building: 'b1', building_name: '一号楼 Building 1', floor: 'B1', device: 'pump-1', site: 'it-site' });
    expect(discharge.timestamps).toEqual(samples.filter((s) => s.point === 'discharge_bar').map((s) => s.ts));
    expect(discharge.values).toEqual(samples.filter((s) => s.point === 'discharge_bar').map((s) => s.value));
    expect(byName.get('pump_running')!.values).toEqual(samples.filter((s) => s.point === 'running').map((s) => (s.value ? 1 : 0)));
    expect(byName.get('smoke_detector_obscuration_pct_m')!.values).toEqual(samples.filter((s) => s.point === 'obscuration_pct_m').map((s) => s.value));
  });
});
