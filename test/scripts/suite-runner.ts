/** Shared by `npm run test:stress` and `npm run bench:tests`: run an npm script, start CPU burners. */
import { spawn, type ChildProcess } from 'node:child_process';
import { processCpuSeconds } from '../support/proc-cpu.ts';

export interface SuiteRun {
  readonly script: string;
  readonly code: number | null;
  readonly seconds: number;
  /** CPU seconds of the run and everything it started (reaped children, from /proc/self/stat) */
  readonly cpuSeconds: number;
}

const childrenCpuSeconds = (): number => processCpuSeconds().children;

/**
 * CPU milliseconds this machine takes for a fixed piece of JavaScript (allocation, sorting) right
 * now: its speed moves by a third between hours here, so a row of figures carries the probe it was
 * measured beside. CPU time, not wall time, so that other work on the machine weighs less; the
 * fastest of nine short rounds after three to warm up (a round can take a collection). Smaller is faster.
 */
export function speedProbeMs(): number {
  const round = (): number => {
    const t0 = process.cpuUsage();
    let acc = 0;
    for (let r = 0; r < 5; r++) {
      const items: Array<{ k: string; v: number }> = [];
      for (let i = 0; i < 50_000; i++) items.push({ k: `p${i % 997}`, v: (i * 2_654_435_761) % 4_294_967_296 });
      items.sort((a, b) => a.v - b.v);
      acc += items[r]?.v ?? 0;
    }
    const used = process.cpuUsage(t0);
    return acc >= 0 ? (used.user + used.system) / 1_000 : Number.NaN;
  };
  for (let i = 0; i < 3; i++) round();
  return Math.min(...Array.from({ length: 9 }, round));
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
export function runNpm(script: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<SuiteRun> {
  const started_ = performance.now();
  const cpuBefore = childrenCpuSeconds();
  const child = spawn('npm', ['run', '--silent', script, ...(extra.length ? ['--', ...extra] : [])], { stdio: 'inherit', detached: true, env });
  started.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      killGroup(child); // anything the run left in its group
      started.delete(child);
      resolve({ script, code, seconds: (performance.now() - started_) / 1_000, cpuSeconds: childrenCpuSeconds() - cpuBefore });
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
