/**
 * A private InfluxDB 1.x (`influxd` from the Debian package) on free ports on 127.0.0.1, with its
 * meta/data/wal dirs in a temp directory. Used by the integration tests and the storage bench.
 * `stop()` + `start()` restart it on the same port and data (an outage).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../support/free-port.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { killGroup, spawnTracked } from '../../../support/child-processes.ts';

export interface InfluxdProcess {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Run an InfluxQL statement (GET for SELECT/SHOW, POST otherwise); returns the JSON body. */
  query(q: string, db?: string): Promise<InfluxQlResponse>;
  /** stop() and remove the data directory. */
  destroy(): Promise<void>;
  /** What influxd wrote to stdout/stderr (for failure messages). */
  output(): string;
  /** The running influxd's process id (for CPU figures in benchmarks), undefined while stopped. */
  pid(): number | undefined;
}

export interface InfluxQlSeries {
  readonly name: string;
  readonly tags?: Record<string, string>;
  readonly columns: string[];
  readonly values: unknown[][];
}
export interface InfluxQlResponse {
  readonly results: Array<{ statement_id: number; series?: InfluxQlSeries[]; error?: string }>;
  readonly error?: string;
}

export async function startInfluxd(): Promise<InfluxdProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'fgw-influxd-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
  wal-fsync-delay = "0s"

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  pprof-enabled = false
  max-body-size = 0

[continuous_queries]
  enabled = false
`,
  );
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let out = '';

  const start = async (): Promise<void> => {
    if (child) return;
    const c = spawnTracked('influxd', ['run', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const keep = (chunk: Buffer): void => {
      out = (out + chunk.toString()).slice(-20_000);
    };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    c.once('exit', () => {
      if (child === c) child = undefined;
    });
    try {
      await waitFor(`influxd on ${url}`, async () => (await fetch(`${url}/ping`)).status === 204, 30_000, 100);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${out}`);
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    killGroup(c, 'SIGTERM');
    const timer = setTimeout(() => killGroup(c, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    child = undefined;
  };

  const query = async (q: string, db?: string): Promise<InfluxQlResponse> => {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db) params.set('db', db);
    const isRead = /^\s*(SELECT|SHOW)/i.test(q);
    const res = await fetch(`${url}/query${isRead ? `?${params}` : ''}`, isRead ? {} : { method: 'POST', body: params });
    const body = (await res.json()) as InfluxQlResponse;
    if (!res.ok || body.error) throw new Error(`InfluxQL "${q}" failed: ${res.status} ${body.error ?? JSON.stringify(body)}`);
    return body;
  };

  await start();
  return {
    url,
    port,
    dir,
    start,
    stop,
    query,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
    pid: () => child?.pid,
  };
}
