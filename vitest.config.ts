import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three projects; the rule that sorts a test file into one is in test/README.md:
// - unit: test/**/*.test.ts outside test/e2e/ and test/integration/. No child process, no socket,
//   no wall-clock wait — enforced: test/support/unit-guard.setup.ts makes spawn, listen and connect
//   throw. Pure logic, fastify inject, in-process simulators on the VirtualClock.
// - e2e: test/e2e/**. Child processes, real sockets on 127.0.0.1, simulators, kill -9; only Node.
// - integration: test/integration/**. External servers (.ci/run installs them) and Chromium.
// `npm test` runs unit and e2e. In e2e and integration, test/support/leak-guard.setup.ts kills what
// each test started and test/support/leak-check.global.ts fails the run if anything is left.
// first in every project's setupFiles, so its afterAll runs after the others (TEST_CPU_LOG)
const cpuLog = 'test/support/cpu-per-file.setup.ts';
const leakGuard = {
  setupFiles: [cpuLog, 'test/support/leak-guard.setup.ts'],
  globalSetup: ['test/support/leak-check.global.ts'],
  // after-hooks in reverse order, so the leak guard's afterEach/afterAll run after the file's own
  sequence: { hooks: 'stack' as const },
};

export default defineConfig({
  test: {
    pool: 'forks',
    // vitest's default for a run is cores - 1: one file at a time on 2 cores. The e2e files mostly
    // wait (on child processes, sockets, simulators at real speed), so two more workers than cores:
    // with one more, both cores were busy only 1.7 of 2 on average (npm test on 2 cores: 120 s with
    // 3 workers, 104 s with 4).
    maxWorkers: availableParallelism() + 2,
    allowOnly: false,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/integration/**', 'test/faults/**'],
          setupFiles: [cpuLog, 'test/support/unit-guard.setup.ts'],
          // pure in-process code: one module graph per worker instead of one per file (imports were
          // half of the project's time)
          isolate: false,
          // no waits, so a bound that only a hung test meets: the heaviest unit files (alarm properties,
          // a month on the VirtualClock) take seconds alone but several times that beside the e2e
          // project and two CPU burners (npm run test:stress)
          testTimeout: 120_000,
          hookTimeout: 120_000,
          allowOnly: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          ...leakGuard,
          // one module graph per worker, not per file: each file imported the gateway afresh (about a
          // third of the project's CPU). Files share no state they do not reset: the leak guard kills
          // each file's children, closes its servers and restores the environment after it.
          isolate: false,
          // child processes and sockets on a busy 2-core machine: bounds that hold under load
          testTimeout: 90_000,
          hookTimeout: 60_000,
          allowOnly: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          ...leakGuard,
          globalSetup: ['test/integration/build-dashboard.setup.ts', ...leakGuard.globalSetup],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          allowOnly: false,
        },
      },
      {
        test: {
          // npm run test:faults: fault injection with an alarm ledger (test/faults/README.md)
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          ...leakGuard,
          testTimeout: 600_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          allowOnly: false,
        },
      },
    ],
  },
});
