/**
 * Is anything listening at a server's address again? A TCP connect to the host and port of its
 * URL, closed at once: no request, no body, no credentials. The forwarder uses it while the sink is
 * unreachable (connection refused or reset, no HTTP answer), so a server that comes back is written
 * to within a probe interval instead of after the rest of the back-off (up to `retryMax`, 30 s by
 * default). Whether it then accepts writes is for the write to find out.
 */
import { connect } from 'node:net';

export function listenerAnswers(url: string, timeoutMs: number): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = u.hostname.replace(/^\[|\]$/g, '');
    port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
