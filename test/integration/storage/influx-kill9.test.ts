/**
 * kill -9 of the gateway process during an InfluxDB outage, then restart: every line that was in
 * the spool when the process died is delivered once the server is back.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startInfluxd, type InfluxdProcess } from './servers/influxd-process.ts';
import { BUILDINGS, DEVICES } from './telemetry-site.ts';
import { killGroup, spawnTracked } from '../../support/child-processes.ts';

interface ChildStatus {
  pushed: number;
  appended: number;
  depth: number;
  written: number;
  state: string;
}

let influxd: InfluxdProcess;
const dir = tempDir('fgw-it-kill-');
const children: ChildProcess[] = [];
beforeAll(async () => {
  influxd = await startInfluxd();
  await influxd.query('CREATE DATABASE telemetry');
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) killGroup(c, 'SIGKILL');
  await influxd?.destroy();
  dir.cleanup();
});

function spawnChild(site: string, mode: 'stream' | 'drain', base: number): { child: ChildProcess; last: () => ChildStatus | undefined; output: () => string } {
  const child = spawnTracked(process.execPath, ['test/integration/storage/telemetry-child.ts', site, mode, String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let last: ChildStatus | undefined;
  let out = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('{')) last = JSON.parse(l) as ChildStatus;
  });
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { child, last: () => last, output: () => out };
}

describe('kill -9 during an outage', () => {
  it('the spooled data is delivered after a restart', async () => {
    const site = join(dir.path, 'site.json');
    writeFileSync(
      site,
      JSON.stringify({
        site: { id: 'kill-site', name: '测试' },
        buildings: BUILDINGS,
        broker: { enabled: true, port: 0 },
        api: { port: 0 },
        storage: { dataDir: join(dir.path, 'data'), influx: { version: 1, url: influxd.url, db: 'telemetry', flushInterval: '200ms', retryMin: '300ms', retryMax: '1s', timeout: '2s' } },
        connectors: [{ id: 'mqtt-local', type: 'mqtt', url: 'embedded' }],
        devices: DEVICES.map((d) => ({ ...d, binding: { connector: 'mqtt-local', topic: `k/${d.id}` } })),
      }),
    );
    const base = Date.now() - 600_000;
    await influxd.stop(); // the outage

    const first = spawnChild(site, 'stream', base);
    await waitFor(`the first gateway spooling (${first.output()})`, async () => (first.last()?.appended ?? 0) >= 300, 30_000, 50);
    expect(first.last()?.state).toBe('retrying');
    killGroup(first.child, 'SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const durable = first.last()!.appended; // lines 0..durable-1 were committed before the kill
    const pushed = first.last()!.pushed;

    await influxd.start();
    const second = spawnChild(site, 'drain', base);
    await waitFor(`the restarted gateway draining (${second.output()})`, async () => {
      const s = second.last();
      return s !== undefined && s.depth === 0 && s.state === 'ok' && s.written >= durable;
    }, 30_000, 100);
    killGroup(second.child, 'SIGTERM');

    const body = await influxd.query("SELECT flow_m3h FROM pump WHERE device = 'pump-1'", 'telemetry');
    const rows = (body.results[0]?.series?.[0]?.values ?? []) as Array<[number, number]>;
    const byTs = new Map(rows.map(([ts, v]) => [ts, v]));
    for (let n = 0; n < durable; n++) expect(byTs.get(base + n), `sample ${n}`).toBe(n);
    for (const [ts, v] of rows) expect(v).toBe(ts - base); // nothing but what was sent
    expect(rows.length).toBeGreaterThanOrEqual(durable);
    expect(rows.length).toBeLessThanOrEqual(pushed + 10);
  });
});
