import { createServer } from 'node:net';

/**
 * Fails when `host:port` cannot be listened on right now (in use, not permitted). Checked before
 * anything starts, so a gateway whose API port is taken never connects to a device or sends a work
 * order; the real listen later still reports a port taken in between.
 */
export function assertCanListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
