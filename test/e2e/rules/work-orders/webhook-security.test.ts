/**
 * Outbound webhooks (#12.6, #14.7): no redirects followed, https only unless allowed, no loopback /
 * link-local / private targets unless allowed (also after DNS), the receiver's answer never passed
 * on, and Standard Webhooks signatures that verify independently of our code, per the spec.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../../../gateway/model/clock.ts';
import { DeliveryError, type OutboundMessage } from '../../../../rules/dispatch/channel.ts';
import { WebhookChannel } from '../../../../rules/dispatch/webhook-channel.ts';
import { guardedLookup, nonPublicAddress } from '../../../../rules/dispatch/webhook-target-policy.ts';
import { workOrderConfigSchema } from '../../../../rules/work-orders/work-order-schema.ts';
import { capturingLogger } from '../../../support/capturing-logger.ts';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function receiver(answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      const a = answer(req.url ?? '');
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${((server as Server).address() as AddressInfo).port}`, hits };
}

const SECRET = 'contractor-secret-0123456789';
const message: OutboundMessage = { id: 'ob-42', event: 'work-order.created', body: '{"id":"WO-42","title":"Pump trip"}', attempt: 1, subject: 'WO-42' };
const LOCAL = { allowHttp: true, allowPrivateTargets: true };

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('webhook targets', () => {
  it('does not follow a redirect: a 3xx is a failed attempt and the new location is never requested', async () => {
    const r = await receiver((path) => (path === '/hook' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 }));
    const err = await failure(new WebhookChannel(new RealClock(), LOCAL).send({ url: `${r.url}/hook`, secret: SECRET }, message, new AbortController().signal));
    expect(err.message).toMatch(/HTTP 302 \(redirects are not followed\)/);
    expect(r.hits.map((h) => h.path)).toEqual(['/hook']);
  });

  it('refuses http:// unless allowed (globally or on the webhook), without sending anything', async () => {
    const r = await receiver(() => ({ status: 204 }));
    const strict = new WebhookChannel(new RealClock(), { allowHttp: false, allowPrivateTargets: true });
    const err = await failure(strict.send({ url: `${r.url}/hook`, secret: SECRET }, message, new AbortController().signal));
    expect(err.message).toMatch(/http:\/\/ webhooks are refused/);
    expect(err.retryable).toBe(false);
    expect(r.hits).toHaveLength(0);
    await expect(strict.send({ url: `${r.url}/hook`, secret: SECRET, allowHttp: true }, message, new AbortController().signal)).resolves.toEqual({ statusCode: 204 });
  });

  it('refuses loopback, link-local (metadata) and private targets by default', async () => {
    const r = await receiver(() => ({ status: 204 }));
    const channel = new WebhookChannel(new RealClock(), { allowHttp: true, allowPrivateTargets: false });
    const port = new URL(r.url).port;
    for (const url of [`${r.url}/hook`, `http://localhost:${port}/hook`, 'http://169.254.169.254/latest/meta-data/', `http://[::1]:${port}/`, 'https://10.1.2.3/', 'https://[fe80::1]/', `http://[::ffff:127.0.0.1]:${port}/`]) {
      const err = await failure(channel.send({ url, secret: SECRET }, message, new AbortController().signal));
      expect(err.message, url).toMatch(/refused: .*(loopback|link-local|private)/);
    }
    expect(r.hits).toHaveLength(0);
    expect(nonPublicAddress('93.184.216.34')).toBeUndefined();
    expect(nonPublicAddress('2606:4700::1111')).toBeUndefined();
  });

  it('checks the addresses a name resolves to (after DNS), not only the URL text', async () => {
    const lookup = guardedLookup({ allowHttp: false, allowPrivateTargets: false });
    const result = await new Promise<{ err: NodeJS.ErrnoException | null; address: string }>((resolve) =>
      lookup('localhost', { family: 0 }, (err, address) => resolve({ err, address: String(address) })),
    );
    expect(result.err?.code).toBe('EWEBHOOKTARGET');
    expect(result.err?.message).toMatch(/localhost resolves to .*loopback/);
    const allowed = await new Promise<string>((resolve) => guardedLookup(LOCAL)('localhost', { family: 4 }, (_e, a) => resolve(String(a))));
    expect(allowed).toBe('127.0.0.1');
  });

  it("never passes the receiver's answer on: the error carries the status only, the log a short excerpt", async () => {
    const r = await receiver(() => ({ status: 500, body: `internal stack trace: db password=hunter2 ${'x'.repeat(1000)}` }));
    const { log, lines } = capturingLogger();
    const err = await failure(new WebhookChannel(new RealClock(), LOCAL, log).send({ url: `${r.url}/hook`, secret: SECRET }, message, new AbortController().signal));
    expect(err.message).toBe(`POST ${r.url}/hook: HTTP 500`);
    expect(err.statusCode).toBe(500);
    const logged = lines.find((l) => l.msg === 'webhook refused by the receiver');
    expect(String(logged?.excerpt)).toContain('hunter2');
    expect(String(logged?.excerpt).length).toBeLessThanOrEqual(200);
  });

  it('check-config refuses http:// and private webhook URLs unless allowed', () => {
    const issues = (wo: Record<string, unknown>): string[] => {
      const r = workOrderConfigSchema.safeParse(wo);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const contractor = (webhook: Record<string, unknown>) => ({ contractors: [{ id: 'c', name: 'C', channels: { webhook: { secret: SECRET, ...webhook } } }] });
    expect(issues(contractor({ url: 'http://hooks.example/x' }))).toEqual([expect.stringMatching(/^contractors\.0\.channels\.webhook\.url: http:\/\/ webhooks are refused/)]);
    expect(issues(contractor({ url: 'https://169.254.169.254/x' }))).toEqual([expect.stringMatching(/link-local.*allowPrivateTargets/)]);
    expect(issues(contractor({ url: 'http://hooks.example/x', allowHttp: true }))).toEqual([]);
    expect(issues({ ...contractor({ url: 'http://127.0.0.1:9/x' }), dispatch: { webhooks: { allowHttp: true, allowPrivateTargets: true } } })).toEqual([]);
    expect(issues(contractor({ url: 'https://hooks.example/x' }))).toEqual([]);
  });
});

describe('Standard Webhooks headers', () => {
  /** Verification written from the specification (standardwebhooks.com), not from our signer. */
  function verifyPerSpec(secret: string, headers: IncomingHttpHeaders, rawBody: string, nowSeconds: number): boolean {
    const id = String(headers['webhook-id']);
    const ts = String(headers['webhook-timestamp']);
    if (!/^\d+$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > 5 * 60) return false;
    const key = secret.startsWith('whsec_') ? Buffer.from(secret.split('_')[1] as string, 'base64') : Buffer.from(secret);
    const expected = createHmac('sha256', key).update(`${id}.${ts}.${rawBody}`).digest('base64');
    // the header is a space-separated list of versioned signatures
    return String(headers['webhook-signature'])
      .split(' ')
      .some((s) => s === `v1,${expected}`);
  }

  it('signs id.timestamp.body with HMAC-SHA256 (v1, base64), for whsec_ and plain secrets, beside the old headers', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const channel = new WebhookChannel(new RealClock(), LOCAL);
    const whsec = `whsec_${Buffer.from('a 32-byte key for the contractor').toString('base64')}`;
    await channel.send({ url: `${r.url}/a`, secret: whsec }, message, new AbortController().signal);
    await channel.send({ url: `${r.url}/b`, secret: SECRET }, message, new AbortController().signal);
    const now = Math.floor(Date.now() / 1000);
    const [a, b] = r.hits as [Hit, Hit];
    expect(a.headers['webhook-id']).toBe('ob-42');
    expect(a.headers['webhook-id']).toBe(a.headers['x-idempotency-key']);
    expect(a.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(a.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyPerSpec(whsec, a.headers, a.body, now)).toBe(true);
    expect(verifyPerSpec(SECRET, b.headers, b.body, now)).toBe(true);
    expect(verifyPerSpec(SECRET, a.headers, a.body, now)).toBe(false);
    expect(verifyPerSpec(whsec, a.headers, `${a.body} `, now)).toBe(false);
    // the original scheme is still there
    expect(b.headers['x-signature']).toBe(createHmac('sha256', SECRET).update(`${b.headers['x-timestamp']}.${b.body}`).digest('hex'));
  });
});
