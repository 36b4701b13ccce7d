/**
 * One HTTP(S) POST through node:https with explicit TLS options (CA, client certificate), for
 * writers whose server needs them; the global fetch cannot take per-request TLS settings.
 *
 * node:http and node:https are taken at the first POST (`process.getBuiltinModule`), not imported:
 * a static ESM import of node:http evaluates every export of it, and one of them loads undici (the
 * fetch implementation), in a storage worker that may never write to InfluxDB. That was about 14 ms
 * of every storage worker's start and its memory on a SQLite-only site.
 */
import type { TlsClientOptions } from '../platform/tls-client-options.ts';

export interface PostAnswer {
  readonly status: number;
  readonly text: string;
  readonly retryAfter: string | null;
}

export function postWithTls(url: string, headers: Record<string, string>, body: Buffer, signal: AbortSignal, tls: TlsClientOptions): Promise<PostAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? process.getBuiltinModule('node:https').request : process.getBuiltinModule('node:http').request;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, signal, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const ra = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: (Array.isArray(ra) ? ra[0] : ra) ?? null });
      });
    });
    req.on('error', (err) => reject(Object.assign(new Error('request failed'), { cause: err })));
    req.end(body);
  });
}
