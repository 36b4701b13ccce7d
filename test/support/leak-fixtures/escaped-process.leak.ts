// Planted leak: a process started around the registry (plain spawn, own group, unref'd) that
// listens on a port from freePort() and outlives the test. The global check must name both.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { freePort } from '../free-port.ts';

it('starts a process nobody stops', async () => {
  const port = await freePort();
  const code = `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`;
  const child = spawn(process.execPath, ['-e', code], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  console.log(`PLANTED pid=${child.pid} port=${port}`);
  child.stdout.destroy();
  child.unref();
  expect(child.pid).toBeGreaterThan(0);
});
