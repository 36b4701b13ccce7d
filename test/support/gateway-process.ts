import type { ChildProcess } from 'node:child_process';
import { exited, killGroup, spawnTracked } from './child-processes.ts';

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly api: string;
  /** Everything the process printed so far. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Start `gateway run ARGS` as a child process in its own process group (registered, so the leak
 * guard kills it after the test even when the test times out); resolves at its "gateway running"
 * log line. `nodeArgs` go before the script (e.g. `--import` of a preload), `env` is added to the
 * environment. `kill(signal)` signals the whole group and waits for the exit. `keepForFile`: a gateway
 * (re)started inside a test that the file's later tests use lives until the end of the file.
 */
export function startGatewayProcess(
  args: readonly string[],
  timeoutMs = 60_000,
  options: { keepForFile?: boolean; nodeArgs?: readonly string[]; env?: Record<string, string> } = {},
): Promise<GatewayProcess> {
  const child = spawnTracked(process.execPath, [...(options.nodeArgs ?? []), 'gateway/cli.ts', 'run', ...args], {
    ...(options.keepForFile ? { scope: 'file' } : {}),
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let out = '';
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    killGroup(child, signal);
    await done;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`gateway did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('gateway running'));
      if (!line) return;
      clearTimeout(timer);
      resolve({ child, api: (JSON.parse(line) as { api: string }).api, output: () => out, kill });
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
}
