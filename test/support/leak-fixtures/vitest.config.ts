import { defineConfig } from 'vitest/config';

// Only for test/e2e/support/leak-check.test.ts: runs the planted leaks below under the same leak
// guard and global check as the e2e project, in a vitest of their own.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/support/leak-fixtures/*.leak.ts'],
    setupFiles: ['test/support/leak-guard.setup.ts'],
    globalSetup: ['test/support/leak-check.global.ts'],
    sequence: { hooks: 'stack' },
    pool: 'forks',
    testTimeout: 3_000,
  },
});
