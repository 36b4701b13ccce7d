/**
 * A PostgreSQL 15 cluster of its own for an integration test: initdb into a temp dir, `postgres`
 * on a free port of 127.0.0.1 (socket in the temp dir), run as the `postgres` user when the test
 * runs as root (PostgreSQL refuses root), with a database of a random name. The server is a tracked
 * child in its own process group;
 * `kill()` is a kill -9, `start()` starts it again on the same data and port.
 */
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, killGroup, runTracked, spawnTracked } from './child-processes.ts';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

const BIN = '/usr/lib/postgresql/15/bin';

export interface Postgres {
  readonly url: string;
  readonly port: number;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-'));
  const data = join(dir, 'data');
  let asUser: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    asUser = { uid, gid };
  }
  const init = await runTracked(`${BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { ...asUser, cwd: dir, timeoutMs: 120_000 });
  if (init.code !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  let out = '';
  const start = async (): Promise<void> => {
    const c = spawnTracked(`${BIN}/postgres`, ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], { ...asUser, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child = c;
    await waitFor(async () => {
      if (c.exitCode !== null) throw new Error(`postgres exited with ${c.exitCode}: ${out}`);
      return (await accepts(port)) && /ready to accept connections/.test(out);
    }, 60_000, `postgres on port ${port}`, 100);
    out = '';
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = exited(c);
    killGroup(c, 'SIGKILL');
    await done;
  };
  await start();
  // a database of its own: a client of this cluster that reaches another test's cluster on a reused
  // port (after kill) fails instead of writing there
  const name = `t_${Math.random().toString(16).slice(2, 10)}`;
  const created = await runTracked(`${BIN}/createdb`, ['-h', dir, '-p', String(port), '-U', 'postgres', name], { ...asUser, cwd: dir, timeoutMs: 60_000 });
  if (created.code !== 0) throw new Error(`createdb failed: ${created.stderr}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${name}`,
    port,
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
