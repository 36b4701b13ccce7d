/**
 * One HTTP(S) POST through node:https with explicit TLS options (CA, client certificate), for
 * writers whose server needs them; the global fetch cannot take per-request TLS settings.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TlsClientOptions } from '../platform/tls-client-options.ts';

export interface PostAnswer {
  readonly status: number;
  readonly text: string;
  readonly retryAfter: string | null;
}

export function postWithTls(url: string, headers: Record<string, string>, body: Buffer, signal: AbortSignal, tls: TlsClientOptions): Promise<PostAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
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
