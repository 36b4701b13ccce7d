/**
 * InfluxDB 1.x writer: POST /write?db=&rp=&precision=ns over HTTP or HTTPS (node fetch; node:https
 * when `tls` sets a CA or client certificate), optional gzip, Basic auth when a username is configured. One request per call, no retries of its own:
 * the forwarder owns retrying and the spool owns the data.
 */
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { Clock } from '../model/clock.ts';
import type { InfluxV1Config } from './influx-schema.ts';
import { tlsClientOptions, type TlsClientOptions } from '../platform/tls-client-options.ts';
import { postWithTls } from './https-post.ts';
import { listenerAnswers } from './listener-probe.ts';
import { LINE_PRECISION } from './line-protocol.ts';
import { classifyHttp, type LineWriter, type WriteResult } from './write-result.ts';

const gzipAsync = promisify(gzip);

export class InfluxV1Writer implements LineWriter {
  readonly target: string;
  private readonly url: string;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly gzip: boolean;
  private readonly timeoutMs: number;
  private readonly tls: TlsClientOptions | undefined;
  private readonly clock: Clock;

  constructor(config: InfluxV1Config, clock: Clock) {
    const params = new URLSearchParams({ db: config.db, precision: LINE_PRECISION });
    if (config.retentionPolicy) params.set('rp', config.retentionPolicy);
    this.baseUrl = config.url;
    this.url = `${config.url.replace(/\/+$/, '')}/write?${params}`;
    this.target = `influxdb v1 ${config.url} db=${config.db}${config.retentionPolicy ? ` rp=${config.retentionPolicy}` : ''}`;
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (config.username !== undefined) {
      this.headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
    }
    if (config.gzip) this.headers['content-encoding'] = 'gzip';
    this.gzip = config.gzip;
    this.timeoutMs = config.timeout;
    this.clock = clock;
    this.tls = tlsClientOptions(config.tls, 'storage.influx');
  }

  async write(lines: readonly string[], options?: { readonly timeoutMs?: number }): Promise<WriteResult> {
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const text = Buffer.from(lines.join('\n'), 'utf8');
    const body = this.gzip ? await gzipAsync(text, { level: constants.Z_BEST_SPEED }) : text;
    const abort = new AbortController();
    const timer = this.clock.setTimer(timeoutMs, () => abort.abort());
    try {
      if (this.tls) {
        const a = await postWithTls(this.url, this.headers, body, abort.signal, this.tls);
        return classifyHttp(a.status, a.text, a.retryAfter, this.clock.now());
      }
      const res = await fetch(this.url, { method: 'POST', headers: this.headers, body, signal: abort.signal });
      const answer = await res.text();
      return classifyHttp(res.status, answer, res.headers.get('retry-after'), this.clock.now());
    } catch (err) {
      if (abort.signal.aborted) return { kind: 'unavailable', message: `no answer within ${timeoutMs} ms` };
      return { kind: 'unavailable', message: describeNetworkError(err), unreachable: true };
    } finally {
      timer.cancel();
    }
  }

  reachable(timeoutMs: number): Promise<boolean> {
    return listenerAnswers(this.baseUrl, timeoutMs);
  }

  async close(): Promise<void> {}
}

export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return `${err.message}: ${code ?? cause.message}`;
  }
  return err.message;
}
