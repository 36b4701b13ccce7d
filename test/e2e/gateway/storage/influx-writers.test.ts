/**
 * Both writers against a small HTTP server on 127.0.0.1 that answers like InfluxDB would (status,
 * JSON error body, Retry-After), to check what each answer becomes. Round trips against real
 * InfluxDB 1.6 and VictoriaMetrics are in test/integration/storage.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../../gateway/model/clock.ts';
import { influxSchema } from '../../../../gateway/storage/influx-schema.ts';
import { InfluxV1Writer } from '../../../../gateway/storage/influx-v1-writer.ts';
import { InfluxV2Writer } from '../../../../gateway/storage/influx-v2-writer.ts';
import { classifyHttp, parseRetryAfter } from '../../../../gateway/storage/write-result.ts';
import type { LineWriter } from '../../../../gateway/storage/write-result.ts';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let base = '';
const seen: Seen[] = [];
let reply: { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } = { status: 204 };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      const r = reply;
      setTimeout(() => {
        res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
        res.end(r.body ?? '');
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const clock = new RealClock();

/** A port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) =>
    probe.listen(0, '127.0.0.1', () => {
      const addr = probe.address();
      probe.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    }),
  );
}
const v1 = (extra: Record<string, unknown> = {}): LineWriter =>
  new InfluxV1Writer(influxSchema.parse({ version: 1, url: base, db: '遥测 db', retentionPolicy: 'rp1', username: 'u', password: 'p:w', ...extra }) as never, clock);
const v2 = (extra: Record<string, unknown> = {}): LineWriter =>
  new InfluxV2Writer(influxSchema.parse({ version: 2, url: base, org: 'facility', bucket: 'telemetry', token: 'tok', ...extra }) as never, clock);

const LINES = ['pump,building_name=一号楼\\ B1,device=p1 discharge_bar=4.5 1700000000000', 'pump,device=p2 running=true 1700000000001'];

describe.each([
  ['v1 /write', v1],
  ['v2 official client', v2],
])('%s writer', (name, make) => {
  it('posts the lines (gzip, UTF-8, ns precision) and reports ok on 204', async () => {
    reply = { status: 204 };
    seen.length = 0;
    const w = make();
    expect(await w.write(LINES)).toEqual({ kind: 'ok' });
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.body).toBe(LINES.join('\n'));
    expect(req.headers['content-encoding']).toBe('gzip');
    const url = new URL(req.url, base);
    expect(url.searchParams.get('precision')).toBe('ns');
    if (name.startsWith('v1')) {
      expect(url.pathname).toBe('/write');
      expect(url.searchParams.get('db')).toBe('遥测 db');
      expect(url.searchParams.get('rp')).toBe('rp1');
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    } else {
      expect(url.pathname).toBe('/api/v2/write');
      expect(url.searchParams.get('bucket')).toBe('telemetry');
      expect(url.searchParams.get('org')).toBe('facility');
      expect(req.headers.authorization).toBe('Token tok');
    }
    await w.close();
  });

  it('400 → rejected with the server message', async () => {
    reply = { status: 400, body: JSON.stringify({ error: "partial write: unable to parse 'x': missing fields" }) };
    const result = await make().write(LINES);
    expect(result).toMatchObject({ kind: 'rejected', status: 400, message: "HTTP 400: partial write: unable to parse 'x': missing fields" });
    // the quoted line is named, so the forwarder dead-letters it without splitting the batch
    expect(result.kind === 'rejected' && result.refusal).toEqual({ partial: true, unparsable: new Map([['x', "unable to parse 'x': missing fields"]]) });
  });

  it.each([401, 403, 404])('%i → misconfigured', async (status) => {
    reply = { status, body: JSON.stringify({ code: 'unauthorized', message: 'unauthorized access' }) };
    expect(await make().write(LINES)).toMatchObject({ kind: 'misconfigured', status, message: `HTTP ${status}: unauthorized access` });
  });

  it('429 with Retry-After → unavailable, retry after the given seconds', async () => {
    reply = { status: 429, body: '{"error":"too many requests"}', headers: { 'retry-after': '7' } };
    expect(await make().write(LINES)).toEqual({ kind: 'unavailable', status: 429, message: 'HTTP 429: too many requests', retryAfterMs: 7000 });
  });

  it('503 → unavailable', async () => {
    reply = { status: 503, body: 'overloaded' };
    expect(await make().write(LINES)).toMatchObject({ kind: 'unavailable', status: 503, message: 'HTTP 503: overloaded' });
  });

  it('no answer within the timeout → unavailable', async () => {
    reply = { status: 204, delayMs: 1500 };
    expect(await make({ timeout: 300 }).write(LINES)).toEqual({ kind: 'unavailable', message: 'no answer within 300 ms' });
  });

  it('connection refused → unavailable with the cause', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const w = name.startsWith('v1')
      ? new InfluxV1Writer(influxSchema.parse({ version: 1, url: closed, db: 'x' }) as never, clock)
      : new InfluxV2Writer(influxSchema.parse({ version: 2, url: closed, org: 'o', bucket: 'b', token: 't' }) as never, clock);
    const r = await w.write(LINES);
    expect(r.kind).toBe('unavailable');
    expect(r.kind === 'unavailable' && r.message).toMatch(/ECONNREFUSED/);
  });
});

describe('answer classification', () => {
  it('Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('maps statuses', () => {
    expect(classifyHttp(204, '', null, 0).kind).toBe('ok');
    expect(classifyHttp(413, 'too large', null, 0).kind).toBe('rejected');
    expect(classifyHttp(422, '{}', null, 0).kind).toBe('rejected');
    expect(classifyHttp(405, '', null, 0).kind).toBe('misconfigured');
    expect(classifyHttp(408, '', null, 0).kind).toBe('unavailable');
    expect(classifyHttp(500, '', null, 0)).toEqual({ kind: 'unavailable', status: 500, message: 'HTTP 500: (no body)' });
  });
});
