/**
 * The run-wide record of what tests started: one file per child pid and per port handed to or
 * opened by a test, in the directory the global setup (leak-check.global.ts) provides. Every
 * process started under a test run carries `FGW_TEST_RUN=<run id>` in its environment, which is how
 * the global teardown finds a survivor even when a test started it without the registry.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

export const RUN_ENV = 'FGW_TEST_RUN';

export interface LeakRun {
  readonly id: string;
  readonly dir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    leakRun: LeakRun | undefined;
  }
}

function run(): LeakRun | undefined {
  try {
    return inject('leakRun');
  } catch {
    return undefined; // outside a vitest worker (a bench script importing a support module)
  }
}

function record(kind: 'pids' | 'ports', name: string, text: string): void {
  const r = run();
  if (!r) return;
  mkdirSync(join(r.dir, kind), { recursive: true });
  writeFileSync(join(r.dir, kind, name), text);
}

export const leftBehindRegistry = {
  /** The environment marker every child of a test carries. */
  childEnv(): Record<string, string> {
    const r = run();
    return r ? { [RUN_ENV]: r.id } : {};
  },
  recordProcess(pid: number, what: string): void {
    record('pids', String(pid), what);
  },
  recordPort(port: number, what: string): void {
    if (port > 0) record('ports', String(port), what);
  },
};
