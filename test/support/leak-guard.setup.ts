/**
 * setupFile of the e2e and integration projects: nothing a test starts outlives it.
 *
 * - children started through test/support/child-processes.ts during a test are SIGKILLed (whole
 *   process group) after that test — also when it timed out or failed; those started in beforeAll
 *   after the file; all of them if the worker exits;
 * - a server this file's tests opened in process and left listening fails the file (and is closed);
 * - every port a server listened on is recorded for the global teardown's check.
 *
 * Hooks run in stack order (vitest.config.ts `sequence.hooks: 'stack'`), so these afterEach/afterAll
 * run after the test file's own.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeEach, inject } from 'vitest';
import { killAllNow, killStarted, setChildScope } from './child-processes.ts';
import { leftBehindRegistry, RUN_ENV } from './leak-registry.ts';
import { removeTempDirs } from './temp-dir.ts';

const leakRun = inject('leakRun');
if (leakRun) process.env[RUN_ENV] = leakRun.id; // every descendant carries the marker

const PATCHED = Symbol.for('fgw.leak-guard.listen');
const openedHere: Set<net.Server> = new Set();
const proto = net.Server.prototype as net.Server & { [PATCHED]?: Set<net.Server> };
if (!proto[PATCHED]) {
  const listen = proto.listen;
  proto.listen = function trackedListen(this: net.Server, ...args: unknown[]) {
    (proto[PATCHED] as Set<net.Server>).add(this);
    this.once('listening', () => {
      const address = this.address();
      if (address && typeof address === 'object') leftBehindRegistry.recordPort(address.port, `listened on in test worker ${process.pid}, or handed out by freePort()`);
    });
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof proto.listen;
  proto[PATCHED] = openedHere;
  process.once('exit', killAllNow);
}
const servers = proto[PATCHED] as Set<net.Server>;
servers.clear(); // a new file

// The e2e files share a worker (isolate: false): each file starts with the environment the one
// before it started with, whatever a library changed meanwhile (node-opcua's PKI sets OPENSSL_CONF).
const envAtStart = { ...process.env };
function restoreEnv(): void {
  for (const key of Object.keys(process.env)) if (!(key in envAtStart)) delete process.env[key];
  Object.assign(process.env, envAtStart);
}

beforeEach(() => setChildScope('test'));

afterEach(async () => {
  setChildScope('file');
  await killStarted('test');
});

afterAll(async () => {
  restoreEnv();
  await killStarted('all');
  removeTempDirs(); // after the children that wrote there are gone
  const listening = [...servers].filter((s) => s.listening);
  servers.clear();
  if (listening.length === 0) return;
  const where = listening.map((s) => JSON.stringify(s.address())).join(', ');
  for (const s of listening) {
    (s as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    s.close();
  }
  throw new Error(`left behind: ${listening.length} server(s) still listening after this file's tests: ${where} — close them in afterEach/afterAll`);
});
