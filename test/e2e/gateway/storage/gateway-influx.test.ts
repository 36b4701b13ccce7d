/**
 * The gateway with `storage.influx` configured: bus → spool → a local HTTP server standing in
 * for InfluxDB 1.x (its answers scripted), with the status in /api/health and /metrics.
 */
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';

let server: Server;
let url = '';
let status = 401;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (status === 204) received.push(...gunzipSync(Buffer.concat(chunks)).toString('utf8').split('\n'));
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 204 ? '' : JSON.stringify({ error: 'authorization failed' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const until = (what: string, check: () => boolean, ms = 15_000): Promise<true> => waitFor(what, check, ms, 25);

describe('gateway with storage.influx', () => {
  const dir = tempDir();
  let gw: RunningGateway;
  afterAll(async () => {
    await gw?.stop();
    dir.cleanup();
  });

  it('spools while the sink refuses the credentials, shows it, then delivers everything once fixed', async () => {
    const config = smallSite(dir.path, {
      storage: { dataDir: dir.path, influx: { version: 1, url, db: 'telemetry', username: 'gw', password: 'wrong', flushInterval: '100ms', retryMin: '100ms', retryMax: '200ms' } },
    });
    gw = await startGateway(config, silentLogger(), { listen: false });
    const t0 = Date.now() - 10_000;
    gw.bus.push([
      { device: 'smoke-1', point: 'battery_pct', value: 97, ts: t0, quality: 'good' },
      { device: 'smoke-1', point: 'alarm', value: false, ts: t0, quality: 'good' },
      { device: 'door-1', point: 'last_badge', value: 'B-7 "x"', ts: t0 + 1, quality: 'good' },
      { device: 'smoke-2', point: 'battery_pct', value: 12, ts: t0 + 2, quality: 'bad' },
    ]);
    await until('the trouble condition', () => gw.trouble.list().some((t) => t.key === 'telemetry-sink-misconfigured'));

    const health = (await gw.app.inject({ method: 'GET', url: '/api/health' })).json() as {
      status: string;
      storage: { influx: { state: string; spool: { depth: number }; lastError: { message: string }; skippedSamples: number } };
    };
    expect(health.status).toBe('degraded');
    expect(health.storage.influx).toMatchObject({ state: 'misconfigured', spool: { depth: 2 }, skippedSamples: 1 });
    expect(health.storage.influx.lastError.message).toBe('HTTP 401: authorization failed');

    const metrics = await gw.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^gateway_telemetry_spool_depth_lines 2$/m);
    expect(metrics.body).toMatch(/^gateway_telemetry_sink_misconfigured 1$/m);
    expect(metrics.body).toMatch(/^gateway_telemetry_last_error_info\{message="HTTP 401: authorization failed"\} 1$/m);
    expect(metrics.body).toMatch(/^gateway_telemetry_write_duration_seconds_count\{result="misconfigured"\} [1-9]/m);

    status = 204;
    await until('delivery', () => received.length === 2);
    expect(received.sort()).toEqual([
      `access_door,building=b1,building_name=一号楼,device=door-1,floor=F1,site=test last_badge="B-7 \\"x\\"" ${t0 + 1}000000`,
      // the life-safety point (alarm) took the priority lane, so it comes first in the line
      `smoke_detector,building=b1,building_name=一号楼,device=smoke-1,floor=F1,site=test alarm=false,battery_pct=97 ${t0}000000`,
    ]);
    await until('trouble cleared', () => gw.trouble.list().length === 0);
    const after = (await gw.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(after).toMatch(/^gateway_telemetry_points_written_total 3$/m);
    expect(after).toMatch(/^gateway_telemetry_spool_depth_lines 0$/m);
    expect(after).toMatch(/^gateway_telemetry_sink_up 1$/m);
  });
});
