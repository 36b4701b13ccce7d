import { spawn, type ChildProcess } from 'node:child_process';

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly api: string;
  /** Everything the process printed so far. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `gateway run ARGS` as a child process; resolves at its "gateway running" log line. */
export function startGatewayProcess(args: readonly string[], timeoutMs = 20_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['gateway/cli.ts', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
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
