/** Start/stop helpers for the Modbus integration tests: the pymodbus server and a socat pty pair. */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { killGroup, spawnTracked } from '../support/child-processes.ts';
import { waitFor } from '../support/wait-for.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/pymodbus_server.py', import.meta.url));

/** A python3 that has pymodbus (the Debian package installs it for /usr/bin/python3). */
export function pythonWithPymodbus(): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import pymodbus'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  throw new Error('no python3 with pymodbus found (install python3-pymodbus)');
}

async function until(pred: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  await waitFor(pred, timeoutMs, what, 50);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface Peer {
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    killGroup(child, 'SIGTERM');
  });
}

export async function startPymodbus(port: number, framer: 'socket' | 'rtu'): Promise<Peer> {
  const child = spawnTracked(pythonWithPymodbus(), [FIXTURE, String(port), framer], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`pymodbus server exited: ${stderr}`);
      return accepts(port);
    }, 10_000, 'the pymodbus server');
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}; server stderr: ${stderr}`);
  }
  return { stop: () => stopChild(child) };
}

/** `socat` joining two pseudo-terminals, reachable as `a` and `b` (symlinks). */
export async function startPtyPair(a: string, b: string): Promise<Peer> {
  const child = spawnTracked('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  await until(() => {
    if (child.exitCode !== null) throw new Error('socat exited');
    return existsSync(a) && existsSync(b);
  }, 5_000, 'socat pty pair');
  return { stop: () => stopChild(child) };
}
