import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHealth } from '../../../gateway/supervision/healthcheck.ts';

let server: Server | undefined;
const started: Server[] = [];
afterEach(async () => {
  // every server a test started, also the ones a later serve() replaced
  await Promise.all(
    started.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          if (!s.listening) return r();
          s.close(() => r());
        }),
    ),
  );
  server = undefined;
});

async function serve(status: number | 'hang'): Promise<string> {
  server = createServer((_req, res) => {
    if (status === 'hang') return; // never answers
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"degraded"}');
  });
  started.push(server);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`;
}

describe('container healthcheck (node fetch on /api/health)', () => {
  it('is healthy on 200 (ok or degraded) and on 401 (accounts configured, API answering)', async () => {
    expect((await probeHealth(await serve(200), 5000)).healthy).toBe(true);
    await new Promise<void>((r) => server?.close(() => r()));
    expect(await probeHealth(await serve(401), 5000)).toMatchObject({ healthy: true, detail: expect.stringContaining('401') });
  });

  it('is unhealthy on a 5xx, a refused connection and no answer within the timeout', async () => {
    expect(await probeHealth(await serve(503), 5000)).toMatchObject({ healthy: false, detail: expect.stringContaining('503') });
    const url = await serve('hang');
    expect((await probeHealth(url, 300)).healthy).toBe(false);
    server?.closeAllConnections();
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    expect((await probeHealth(url, 5000)).healthy).toBe(false);
  });
});
