/**
 * The leak guard and the global check catch what they claim to: each planted leak in
 * test/support/leak-fixtures/ is run in a vitest of its own, which must fail and name the leak, and
 * must leave nothing running afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runTracked, type RunResult } from '../../support/child-processes.ts';
import { waitFor } from '../../support/wait-for.ts';

function runFixture(name: string): Promise<RunResult> {
  const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  // the planted process never goes away by itself: the check's grace only delays its report
  if (name === 'escaped-process') env.LEAK_CHECK_GRACE_MS = '1000';
  return runTracked(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/support/leak-fixtures/vitest.config.ts', `test/support/leak-fixtures/${name}.leak.ts`], {
    env: { ...env, NO_COLOR: '1' },
    timeoutMs: 120_000,
  });
}

const FIXTURES = ['escaped-process', 'server-left-listening', 'timed-out-child'] as const;
const runs = new Map<string, Promise<RunResult>>();

/** The run of one planted leak, started with the others in beforeAll. */
function fixtureRun(name: (typeof FIXTURES)[number]): Promise<RunResult> {
  const run = runs.get(name);
  if (!run) throw new Error(`no run of ${name}`);
  return run;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('nothing left behind: the check itself', () => {
  // Each planted leak is a vitest of its own that mostly waits (start-up, the check's grace): the
  // three run side by side, started before the tests (children of the file, killed after it).
  beforeAll(() => {
    for (const name of FIXTURES) {
      const run = runFixture(name);
      run.catch(() => undefined); // awaited (and its failure reported) by the test that reads it
      runs.set(name, run);
    }
  });

  it('fails the run when a test leaves a process running on a port, names both, and kills it', async () => {
    const run = await fixtureRun('escaped-process');
    const out = run.stdout + run.stderr;
    const planted = /PLANTED pid=(\d+) port=(\d+)/.exec(out);
    expect(planted, out).not.toBeNull();
    const [pid, port] = [Number(planted?.[1]), Number(planted?.[2])];
    expect(run.code, out).not.toBe(0);
    expect(out).toContain(`process ${pid} (group ${pid}) still running`);
    expect(out).toContain(`port 127.0.0.1:${port} still bound`);
    await waitFor(() => !alive(pid), 10_000, `planted process ${pid} to be gone`);
  });

  it('fails the file when a test leaves an in-process server listening', async () => {
    const run = await fixtureRun('server-left-listening');
    const out = run.stdout + run.stderr;
    expect(run.code, out).not.toBe(0);
    expect(out).toMatch(/left behind: 1 server\(s\) still listening after this file's tests/);
  });

  it('kills a registered child whose test timed out (the timeout fails, the leak check does not)', async () => {
    const run = await fixtureRun('timed-out-child');
    const out = run.stdout + run.stderr;
    const tracked = /TRACKED pid=(\d+)/.exec(out);
    expect(tracked, out).not.toBeNull();
    expect(run.code, out).not.toBe(0);
    expect(out).toMatch(/Test timed out/);
    expect(out).not.toContain('left behind');
    await waitFor(() => !alive(Number(tracked?.[1])), 10_000, 'the timed-out test\'s child to be gone');
  });
});
