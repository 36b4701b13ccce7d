import { defineConfig } from 'vitest/config';

// Two suites: `unit` needs only Node (npm test); `integration` needs the external servers that
// .ci/run installs (InfluxDB, VictoriaMetrics, Mosquitto, pymodbus, socat, Chromium).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/faults/**'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          allowOnly: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/build-dashboard.setup.ts'],
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
          testTimeout: 600_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          allowOnly: false,
        },
      },
    ],
  },
});
