import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}

describe('kill -9 and restart', () => {
  const children: GatewayProcess[] = [];
  const dir = tempDir();
  afterEach(async () => {
    for (const c of children) await c.kill('SIGKILL');
    dir.cleanup();
  });

  it('the SQLite store opens cleanly after SIGKILL and keeps the history from before it', async () => {
    const configFile = join(dir.path, 'site.yaml');
    writeFileSync(
      configFile,
      `site: { id: k, name: Kill test }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(join(dir.path, 'data'))} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: k/smoke-1 } }
`,
    );
    const first = await startGatewayProcess(['--config', configFile]);
    children.push(first);
    const health = await getJson<{ broker: { url: string } }>(`${first.api}/api/health`);
    const client = await mqtt.connectAsync(health.broker.url, { clientId: 'kill-test' });
    const base = Date.now() - 100_000;
    for (let i = 0; i < 50; i++) await client.publishAsync('k/smoke-1', JSON.stringify({ battery_pct: 50 + i / 10, ts: base + i * 1_000 }), { qos: 1 });
    await client.endAsync();
    const url = (api: string): string => `${api}/api/devices/smoke-1/points/battery_pct/history?from=${base}&to=${base + 60_000}`;
    // wait until all 50 are stored (the API reads the store)
    const stored = await waitFor(async () => {
      const n = (await getJson<{ samples: unknown[] }>(url(first.api))).samples.length;
      return n >= 50 ? n : undefined;
    }, 30_000, 'all 50 samples stored', 100);
    expect(stored).toBe(50);
    await first.kill('SIGKILL');

    const second = await startGatewayProcess(['--config', configFile]);
    children.push(second);
    const history = await getJson<{ samples: Array<{ ts: number; value: number }> }>(url(second.api));
    expect(history.samples).toHaveLength(50);
    expect(history.samples[49]).toEqual({ ts: base + 49_000, value: 54.9, quality: 'good' });
    const devices = await getJson<{ devices: Array<{ points: Record<string, { value: unknown }> }> }>(`${second.api}/api/devices`);
    expect(devices.devices[0]?.points.battery_pct?.value).toBe(54.9); // the live view is seeded from the store
    await second.kill('SIGTERM');
  });
});
