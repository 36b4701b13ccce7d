/** Shared by `npm run test:stress` and `npm run bench:tests`: run an npm script, start CPU burners. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SuiteRun {
  readonly script: string;
  readonly code: number | null;
  readonly seconds: number;
}

// Everything this script started, killed (by process group) on exit, Ctrl-C or SIGTERM.
const started = new Set<ChildProcess>();
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
function killAll(): void {
  for (const child of started) killGroup(child);
  started.clear();
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** `npm run SCRIPT` in its own process group, output passed through; resolves with exit and wall time. */
export function runNpm(script: string, extra: readonly string[] = []): Promise<SuiteRun> {
  const started_ = performance.now();
  const child = spawn('npm', ['run', '--silent', script, ...(extra.length ? ['--', ...extra] : [])], { stdio: 'inherit', detached: true });
  started.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      killGroup(child); // anything the run left in its group
      started.delete(child);
      resolve({ script, code, seconds: (performance.now() - started_) / 1_000 });
    });
  });
}

/** `n` node processes that spin a core each until `stop()` (which kills their process groups). */
export function startBurners(n: number): { stop: () => void } {
  const burners: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const b = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true });
    started.add(b);
    burners.push(b);
  }
  return {
    stop: () => {
      for (const b of burners) {
        killGroup(b);
        started.delete(b);
      }
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
