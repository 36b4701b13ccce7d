/**
 * InfluxDB 2.x / 3.x / Cloud writer through the official client (@influxdata/influxdb-client).
 *
 * The client's own buffering and retries are switched off (no retry buffer, no timed flushes, a
 * batch size above ours, `writeFailed` turning every failure into the flush result): its defaults
 * retry for about 180 s and then drop, and hold lines in memory. Here one `write` is one request,
 * and the durable spool keeps the data until the server accepted it.
 */
import { createRequire } from 'node:module';
import type * as InfluxClient from '@influxdata/influxdb-client';
import { tlsClientOptions } from '../platform/tls-client-options.ts';
import type { Clock } from '../model/clock.ts';
import type { InfluxV2Config } from './influx-schema.ts';
import { LINE_PRECISION } from './line-protocol.ts';
import { describeNetworkError } from './influx-v1-writer.ts';
import { listenerAnswers } from './listener-probe.ts';
import { classifyHttp, type LineWriter, type WriteResult } from './write-result.ts';

/**
 * The client library, loaded by the first v2 writer (its CommonJS build), not imported: its ES module
 * imports node:http, whose module namespace loads undici (Node's fetch), and the storage worker
 * loads this file on every site, also those without InfluxDB v2 (about 14 ms of each worker's start).
 */
let influxClient: typeof InfluxClient | undefined;
const loadInfluxClient = (): typeof InfluxClient => (influxClient ??= createRequire(import.meta.url)('@influxdata/influxdb-client') as typeof InfluxClient);

export class InfluxV2Writer implements LineWriter {
  readonly target: string;
  private readonly api: InfluxClient.WriteApi;
  private readonly lib = loadInfluxClient();
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly url: string;

  constructor(config: InfluxV2Config, clock: Clock) {
    this.url = config.url;
    this.target = `influxdb v2 ${config.url} org=${config.org} bucket=${config.bucket}`;
    this.clock = clock;
    this.timeoutMs = config.timeout;
    const tls = tlsClientOptions(config.tls, 'storage.influx');
    // transportOptions go to the https request of the client's node transport
    const client = new this.lib.InfluxDB({ url: config.url, token: config.token, timeout: config.timeout, ...(tls ? { transportOptions: { ...tls } } : {}) });
    this.api = client.getWriteApi(config.org, config.bucket, LINE_PRECISION, {
      batchSize: 1_000_000,
      maxBatchBytes: 1024 ** 3,
      flushInterval: 0,
      maxRetries: 0,
      maxRetryTime: 365 * 86_400_000, // 0 would mean "expired before the first attempt"
      maxBufferLines: 1,
      ...(config.gzip ? { gzipThreshold: 0 } : {}),
      // Returning a promise makes it the result of flush(): no retry buffer, no console logging.
      writeFailed: (error: Error) => Promise.reject(error),
    });
  }

  async write(lines: readonly string[]): Promise<WriteResult> {
    this.api.writeRecords(lines as string[]);
    try {
      await this.api.flush();
      return { kind: 'ok' };
    } catch (err) {
      if (err instanceof this.lib.HttpError) {
        const retryAfter = err.headers?.['retry-after'];
        return classifyHttp(err.statusCode, err.body ?? err.message, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, this.clock.now());
      }
      if (err instanceof this.lib.RequestTimedOutError) return { kind: 'unavailable', message: `no answer within ${this.timeoutMs} ms` };
      return { kind: 'unavailable', message: describeNetworkError(err), unreachable: true };
    }
  }

  reachable(timeoutMs: number): Promise<boolean> {
    return listenerAnswers(this.url, timeoutMs);
  }

  async close(): Promise<void> {
    await this.api.close().catch(() => undefined);
  }
}
