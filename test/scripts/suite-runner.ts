/** Shared by `npm run test:stress` and `npm run bench:tests`: run an npm script, start CPU burners. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SuiteRun {
  readonly script: string;
  readonly code: number | null;
  readonly seconds: number;
}

/** `npm run SCRIPT` in its own process group, output passed through; resolves with exit and wall time. */
export function runNpm(script: string, extra: readonly string[] = []): Promise<SuiteRun> {
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', script, ...(extra.length ? ['--', ...extra] : [])], { stdio: 'inherit', detached: true });
  const stop = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve({ script, code, seconds: (performance.now() - started) / 1_000 });
    });
  });
}

/** `n` node processes that spin a core each until `stop()` (which kills their process groups). */
export function startBurners(n: number): { stop: () => void } {
  const burners: ChildProcess[] = [];
  for (let i = 0; i < n; i++) burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true }));
  const stop = (): void => {
    for (const b of burners) {
      try {
        if (b.pid) process.kill(-b.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.once('exit', stop);
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  return { stop };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
