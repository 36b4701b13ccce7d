/**
 * Global setup of the e2e and integration projects. Setup: a run id and a registry directory for
 * the workers (provided as `leakRun`). Teardown: fails the run when any process started by a test
 * is still alive, or any port a test listened on or was handed by freePort() is still bound. The
 * survivors are reported, then killed, so a failed check leaves nothing behind either.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { RUN_ENV } from './leak-registry.ts';
import { waitFor } from './wait-for.ts';

interface Survivor {
  readonly pid: number;
  readonly pgid: number;
  readonly cmd: string;
}

function stat(pid: number): { state: string; ppid: number; pgid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] as string, ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Live processes (not zombies) whose environment carries this run's marker, except vitest's own. */
export function survivorsOf(runId: string): Survivor[] {
  const marker = `${RUN_ENV}=${runId}`;
  const found: Survivor[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or not ours
    }
    if (!environ.split('\0').includes(marker)) continue;
    const s = stat(pid);
    if (!s || s.state === 'Z' || s.ppid === process.pid) continue; // exited, or a vitest worker
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    found.push({ pid, pgid: s.pgid, cmd });
  }
  return found;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** What `probe` still finds once it found nothing, or when the bound ran out (the one waitFor of the suite). */
async function settle<T>(probe: () => Promise<T[]>, timeoutMs: number): Promise<T[]> {
  let left = await probe();
  if (left.length === 0) return left;
  // a timeout is not an error here: what is left is the report
  await waitFor(async () => (left = await probe()).length === 0, timeoutMs, 'processes and ports to go').catch(() => undefined);
  return left;
}

/** How long the check waits for killed processes and their ports: 5 s, or LEAK_CHECK_GRACE_MS (the check's own test). */
function graceMs(): number {
  const set = Number(process.env.LEAK_CHECK_GRACE_MS);
  return Number.isFinite(set) && set > 0 ? set : 5_000;
}

export async function checkNothingLeft(runId: string, dir: string): Promise<string[]> {
  const problems: string[] = [];
  let ports: number[] = [];
  try {
    ports = readdirSync(join(dir, 'ports')).map(Number);
  } catch {
    /* no port was recorded */
  }
  const boundPorts = async (): Promise<number[]> => {
    const up = await Promise.all(ports.map(async (p) => ((await listening(p)) ? p : undefined)));
    return up.filter((p): p is number => p !== undefined);
  };
  // Killed processes take a moment to be reaped and their ports to close; one generous bound for
  // both (a process that outlives it usually holds the port too: two bounds in a row doubled the wait)
  const left = await settle<Survivor | number>(async () => [...survivorsOf(runId), ...(await boundPorts())], graceMs());
  const survivors = left.filter((x): x is Survivor => typeof x !== 'number');
  const bound = left.filter((x): x is number => typeof x === 'number');
  for (const s of survivors) problems.push(`process ${s.pid} (group ${s.pgid}) still running: ${s.cmd.slice(0, 200)}`);
  for (const port of bound) {
    let what = '';
    try {
      what = readFileSync(join(dir, 'ports', String(port)), 'utf8');
    } catch {
      /* unnamed */
    }
    problems.push(`port 127.0.0.1:${port} still bound (${what})`);
  }
  // Reported; now make sure they do not outlive the run either.
  for (const s of survivors) {
    for (const target of [-s.pgid, s.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  return problems;
}

export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fgw-test-run-'));
  const id = `${process.pid}-${project.name}-${Date.now()}`;
  project.provide('leakRun', { id, dir });
  return async () => {
    const problems = await checkNothingLeft(id, dir);
    rmSync(dir, { recursive: true, force: true });
    if (problems.length > 0) {
      throw new Error(`left behind by the ${project.name || 'test'} run:\n  ${problems.join('\n  ')}`);
    }
  };
}
