// Planted leak: an in-process server left listening after the file's tests.
import { createServer } from 'node:net';
import { expect, it } from 'vitest';

it('opens a server and forgets it', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  expect(server.listening).toBe(true);
});
