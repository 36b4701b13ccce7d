/**
 * Escalation through the real channels to independent receivers on 127.0.0.1: a signed webhook,
 * a WeCom group robot and a signed DingTalk group robot (each speaking its JSON format and
 * answering `errcode`). On the VirtualClock: the P1 escalates at exactly 2 minutes to level 1 (the
 * webhook), 2 minutes later to level 2 (WeCom), then level 3 (DingTalk); acknowledged, it stops;
 * cleared, each receiver gets the "cleared" message. Each step reaches its receiver exactly once.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { EscalationService } from '../../../rules/alarms/escalation-service.ts';
import { escalationSchema } from '../../../rules/alarms/escalation-schema.ts';
import { verifyWebhook } from '../../../rules/dispatch/signature.ts';
import { waitFor } from '../../support/wait-for.ts';
import { device, harness, tempDir, type Harness } from '../../rules/harness.ts';

const MIN = 60_000;
const SECRET = 'webhook-secret-0123456789';
const DING_SECRET = 'SEC0123456789abcdef';

interface Hit {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const servers: Server[] = [];
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function receiver(answer: (hit: Hit) => { status: number; body: string }): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      const a = answer(hit);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${addr.port}`, hits };
}

const robotOk = () => ({ status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) });

describe('escalation to independent receivers', () => {
  it('each step reaches its own receiver once, in its format; acknowledged it stops; cleared is told', async () => {
    const hook = await receiver(() => ({ status: 204, body: '' }));
    const wecom = await receiver(robotOk);
    const ding = await receiver((hit) => {
      const u = new URL(hit.url, 'http://x');
      const ts = u.searchParams.get('timestamp') ?? '';
      const expected = createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64');
      return u.searchParams.get('sign') === expected ? robotOk() : { status: 200, body: JSON.stringify({ errcode: 310000, errmsg: 'sign not match' }) };
    });
    const local = { allowHttp: true, allowPrivateTargets: true };
    const config = escalationSchema.parse({
      enabled: true,
      levels: [
        { id: 'shift', name: 'Shift lead', channels: { webhook: { url: `${hook.url}/alarms`, secret: SECRET, ...local } } },
        { id: 'duty', name: 'Duty manager', channels: { wecom: { url: `${wecom.url}/cgi-bin/webhook/send?key=abc`, ...local } } },
        { id: 'chief', name: 'Chief engineer', channels: { dingtalk: { url: `${ding.url}/robot/send?access_token=t`, secret: DING_SECRET, ...local } } },
      ],
    });
    const clock = new VirtualClock();
    const dbFile = join(tempDir().dir, 'gateway.db');
    const h: Harness = harness({
      rules: [{ id: 'fire.test', title: 'Fire zone 1 in fire', scope: { devices: ['fp-1'] }, when: { type: 'state', point: 'zone_1_state', equals: 'fire' }, priority: 1 }],
      devices: [device('fp-1', 'fire_panel', 'b1', 'F1', 2)],
      clock,
      dbFile,
    });
    cleanup.push(() => h.close());
    const esc = new EscalationService({
      config,
      alarms: h.service,
      clock,
      log: silentLogger(),
      dbFile,
      senders: { mqttOptions: {} },
      dispatch: { maxAttempts: 3, initialBackoff: 1000, maxBackoff: 5000, jitter: 0, timeout: 30_000, concurrency: 4 },
    });
    esc.start();
    cleanup.push(() => esc.stop());
    const delivered = (n: number) => waitFor(() => esc.outbox.counts().delivered === n && esc.outbox.counts().pending === 0, 30_000, `${n} escalation notices delivered`);
    const t0 = clock.now();

    h.push('fp-1', 'zone_1_state', 'fire');
    await waitFor(() => esc.nextStep(h.service.active()[0]?.id ?? '') !== undefined, 15_000, 'escalation armed');
    const id = h.service.active()[0]?.id as string;
    expect(esc.nextStep(id)).toBe(t0 + 2 * MIN);

    clock.advance(2 * MIN - 1);
    await new Promise((r) => setImmediate(r));
    expect(esc.outbox.counts().pending + esc.outbox.counts().delivered).toBe(0);
    clock.advance(1);
    await delivered(1);
    expect(hook.hits).toHaveLength(1);
    const h1 = hook.hits[0] as Hit;
    expect(verifyWebhook(SECRET, String(h1.headers['x-timestamp']), h1.body, String(h1.headers['x-signature']))).toBe(true);
    expect(JSON.parse(h1.body)).toMatchObject({ event: 'alarm.escalated', step: 1, alarm: { id, priority: 1 }, level: { index: 1, id: 'shift' } });

    clock.advance(2 * MIN);
    await delivered(2);
    expect(wecom.hits).toHaveLength(1);
    const w = JSON.parse((wecom.hits[0] as Hit).body) as { msgtype: string; text: { content: string } };
    expect(w.msgtype).toBe('text');
    expect(w.text.content).toContain('Fire zone 1 in fire');
    expect(w.text.content).toContain('第 2 次升级');

    clock.advance(2 * MIN);
    await delivered(3);
    expect(ding.hits).toHaveLength(1);
    expect(JSON.parse((ding.hits[0] as Hit).body)).toMatchObject({ msgtype: 'text' });

    h.service.acknowledge(id, 'op-wang');
    await waitFor(() => esc.nextStep(id) === undefined, 15_000, 'escalation stopped');
    clock.advance(20 * MIN);
    await new Promise((r) => setImmediate(r));
    expect(esc.outbox.counts()).toMatchObject({ pending: 0, delivered: 3, dead: 0 });

    h.push('fp-1', 'zone_1_state', 'normal');
    await delivered(6);
    expect([hook.hits.length, wecom.hits.length, ding.hits.length]).toEqual([2, 2, 2]);
    expect(JSON.parse((hook.hits[1] as Hit).body)).toMatchObject({ event: 'alarm.escalation_cleared' });
    expect((JSON.parse((wecom.hits[1] as Hit).body) as { text: { content: string } }).text.content).toContain('CLEARED');
    // journaled on the alarm: three steps, one "cleared"
    const types = h.service.journal(id).map((j) => j.type);
    expect(types.filter((t) => t === 'escalated')).toHaveLength(3);
    expect(types.filter((t) => t === 'escalation-cleared')).toHaveLength(1);
    // each idempotency key arrived once
    const keys = hook.hits.map((x) => x.headers['x-idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
