import { describe, expect, it } from 'vitest';
import { runTracked } from '../../../support/child-processes.ts';

const NODE = process.execPath;

// The CLI as a child process (the config checks themselves are unit tests in test/gateway/config/).
describe('gateway check-config / run on a bad file', () => {
  it('`gateway check-config` exits 2 and prints every error', async () => {
    const run = await runTracked(NODE, ['gateway/cli.ts', 'check-config', 'test/fixtures/config/three-mistakes.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('3 error(s)');
    expect(run.stderr).toContain('devices[1].building');
    expect(run.stderr).toContain('devices[2].kind');
    expect(run.stderr).toContain('storage.retention');
  });

  it('`gateway check-config` exits 0 on the demo site', async () => {
    const run = await runTracked(NODE, ['gateway/cli.ts', 'check-config', 'config/demo-site.yaml']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('23 devices');
  });

  it('`gateway run` refuses a bad file with exit 2 before anything connects', async () => {
    const run = await runTracked(NODE, ['gateway/cli.ts', 'run', '--config', 'test/fixtures/config/three-mistakes.yaml']);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain('listening');
  });
});
