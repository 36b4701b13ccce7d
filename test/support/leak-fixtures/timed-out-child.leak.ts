// Not a leak: a registered child whose test times out is killed by the guard's afterEach anyway.
import { it } from 'vitest';
import { spawnTracked } from '../child-processes.ts';

it('hangs with a child running', async () => {
  const child = spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  console.log(`TRACKED pid=${child.pid}`);
  await new Promise(() => undefined); // never settles: the test times out
});
