/**
 * Every child process a test starts goes through here: it is spawned `detached` (its own process
 * group, so grandchildren go with it), registered, and killed with `process.kill(-pid, 'SIGKILL')`
 * by the leak guard (test/support/leak-guard.setup.ts) after the test that started it — or after
 * the file, when it was started in beforeAll — even when the test timed out. Each pid is also written
 * to the run's registry so the global teardown (test/support/leak-check.global.ts) can prove none
 * is left.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leftBehindRegistry } from './leak-registry.ts';

type Scope = 'test' | 'file';
/**
 * Node's on-disk compile cache for every child (gateways, simulators, CLIs): each of the suite's many
 * process starts otherwise compiles the same dependencies again (node-opcua, fastify, aedes...); with
 * the cache a gateway starts on about 40 % less CPU. Entries are checked against the source, so a
 * changed file is compiled afresh. A child's own env may set NODE_COMPILE_CACHE to opt out or elsewhere.
 */
const COMPILE_CACHE = join(tmpdir(), 'facility-gateway-test-compile-cache');
const started = new Map<number, { child: ChildProcess; scope: Scope; what: string }>();
let scope: Scope = 'file';

/** Called by the leak guard: children started from now on belong to the running test (or the file). */
export function setChildScope(next: Scope): void {
  scope = next;
}

/**
 * `spawn` in a new process group, registered for killing; stdio defaults to pipes. `scope: 'file'`
 * keeps a child started inside a test until the end of the file (a server the next tests use, e.g. a
 * gateway restarted by one test); it is still killed then, also on timeout.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions & { scope?: Scope } = {}): ChildProcess {
  const { scope: wanted, ...spawnOptions } = options;
  const child = spawn(command, [...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...spawnOptions,
    env: { NODE_COMPILE_CACHE: COMPILE_CACHE, ...(spawnOptions.env ?? process.env), ...leftBehindRegistry.childEnv() },
    detached: true,
  });
  if (child.pid === undefined) return child; // failed to start: the 'error' event tells why
  const what = `${command} ${args.join(' ')}`.slice(0, 200);
  started.set(child.pid, { child, scope: wanted ?? scope, what });
  leftBehindRegistry.recordProcess(child.pid, what);
  return child;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run a command to its end (tracked like `spawnTracked`); resolves with its exit and output, never
 * rejects on a non-zero exit. After `timeoutMs` the process group is killed and the promise rejects.
 */
export function runTracked(command: string, args: readonly string[], options: SpawnOptions & { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const { timeoutMs = 60_000, input, ...spawnOptions } = options;
  const child = spawnTracked(command, args, { ...spawnOptions, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  if (input !== undefined) child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** SIGKILL (or `signal`) the child's whole process group; a group already gone is fine. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Kill every registered group of `which` scope ('all' at the end of a file or worker) and wait for their exit. */
export async function killStarted(which: Scope | 'all'): Promise<string[]> {
  const killed: string[] = [];
  const waits: Promise<void>[] = [];
  for (const [pid, entry] of started) {
    if (which !== 'all' && entry.scope !== which) continue;
    started.delete(pid);
    // The group may outlive its leader (a grandchild), so it is killed even when the child has exited.
    if (entry.child.exitCode === null && entry.child.signalCode === null) killed.push(`${pid} ${entry.what}`);
    killGroup(entry.child);
    waits.push(exited(entry.child));
  }
  await Promise.all(waits);
  return killed;
}

/** Synchronous last resort (process 'exit' of the worker): SIGKILL every group still registered. */
export function killAllNow(): void {
  for (const entry of started.values()) killGroup(entry.child);
}
