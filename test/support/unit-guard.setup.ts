/**
 * The `unit` project's rule, enforced: a unit test starts no process and opens no socket (no
 * listening server, no connection). Anything that does belongs in test/e2e/ (or test/integration/
 * when it needs an external server). Registered as a setupFile of the unit project only.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.ts';

function forbid(what: string): never {
  throw new Error(`unit tests may not ${what}: move this test to test/e2e/ (see test/README.md)`);
}

for (const name of ['spawn', 'spawnSync', 'fork', 'exec', 'execSync', 'execFile', 'execFileSync'] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = () => forbid(`start a child process (child_process.${name})`);
}
net.Server.prototype.listen = function listen(): never {
  return forbid('listen on a socket (net.Server.listen)');
};
net.Socket.prototype.connect = function connect(): never {
  return forbid('open a socket connection (net.Socket.connect)');
};
syncBuiltinESMExports();

// temporary directories (on a RAM disk) do not outlive their test file
afterAll(removeTempDirs);
