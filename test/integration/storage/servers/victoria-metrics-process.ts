/**
 * A private VictoriaMetrics (single binary from the Debian package) on a free port on 127.0.0.1
 * with a temp storage dir. It accepts the InfluxDB v2 write API (/api/v2/write) that the official
 * client uses; data reads back through /api/v1/export.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../support/free-port.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { killGroup, spawnTracked } from '../../../support/child-processes.ts';

export interface VmProcess {
  readonly url: string;
  /** JSON-lines export of the series matching `match` (a PromQL series selector). */
  exportSeries(match: string): Promise<VmSeries[]>;
  destroy(): Promise<void>;
}

export interface VmSeries {
  readonly metric: Record<string, string>;
  readonly values: number[];
  readonly timestamps: number[];
}

export async function startVictoriaMetrics(): Promise<VmProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'fgw-vm-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child: ChildProcess = spawnTracked(
    'victoria-metrics',
    [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-retentionPeriod=100y', '-search.latencyOffset=0s', '-loggerLevel=ERROR'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    await waitFor(`victoria-metrics on ${url}`, async () => (await fetch(`${url}/health`)).ok, 30_000);
  } catch (err) {
    killGroup(child, 'SIGKILL');
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    url,
    exportSeries: async (match) => {
      // Make what was just written searchable before reading it back.
      await fetch(`${url}/internal/force_flush`);
      const res = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': match, start: '0' })}`);
      if (!res.ok) throw new Error(`export ${match}: ${res.status} ${await res.text()}`);
      const text = await res.text();
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as VmSeries);
    },
    destroy: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
