import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../../gateway/supervision/node-flags.ts';

/** Node (this Node 24) started with `args`, environment `env` added; its exit status and stderr. */
function node(args: readonly string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('the gateway V8 flags', () => {
  it('are accepted by Node on the command line (how every launch path passes them)', () => {
    const r = node([...GATEWAY_NODE_FLAGS, '-e', 'process.exit(0)']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('could not be passed in NODE_OPTIONS: Node refuses --heap-growing-percent there (why the Dockerfile and the unit put them on the command line)', () => {
    const r = node(['-e', 'process.exit(0)'], { NODE_OPTIONS: GATEWAY_NODE_FLAGS.join(' ') });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--heap-growing-percent.* is not allowed in NODE_OPTIONS/);
  });
});
