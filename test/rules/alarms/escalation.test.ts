/**
 * Escalation ladder on the VirtualClock: an unacknowledged P1 escalates at exactly 2 minutes, the
 * next level every 2 minutes after, stops on acknowledgement, and the levels told get a "cleared"
 * message once; every step is journaled on the alarm and handed to the delivery port once.
 * (The real HTTP receivers are in test/e2e/rules/escalation-receivers.test.ts.)
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { OutboundMessage } from '../../../rules/dispatch/channel.ts';
import { EscalationService } from '../../../rules/alarms/escalation-service.ts';
import { escalationSchema } from '../../../rules/alarms/escalation-schema.ts';
import { alarmSettingsSchema, type RuleConfigInput } from '../../../rules/alarms/config/rule-schema.ts';
import { device, harness, tempDir, type Harness } from '../harness.ts';

const MIN = 60_000;
const RULES: RuleConfigInput[] = [
  { id: 't.p1', title: 'Pump P1 test', scope: { devices: ['pu-1'] }, when: { type: 'state', point: 'running', equals: true }, priority: 1 },
  { id: 't.p4', title: 'Pump P4 test', scope: { devices: ['pu-2'] }, when: { type: 'state', point: 'running', equals: true }, priority: 4 },
  { id: 't.p2', title: 'Pump P2 test', scope: { devices: ['pu-3'] }, when: { type: 'state', point: 'running', equals: true }, priority: 2 },
];
const DEVICES = [device('pu-1', 'pump'), device('pu-2', 'pump'), device('pu-3', 'pump')];
const webhook = (n: string) => ({ webhook: { url: `https://${n}.example/hook`, secret: 'a-secret-of-16-chars' } });
const CONFIG = escalationSchema.parse({
  enabled: true,
  levels: [
    { id: 'shift', name: 'Shift lead', channels: webhook('shift') },
    { id: 'duty', name: 'Duty manager', channels: { ...webhook('duty'), wecom: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' } } },
    { id: 'chief', name: 'Chief engineer', channels: { dingtalk: { url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECabc' } } },
  ],
});

interface Received {
  readonly level: string;
  readonly channel: string;
  readonly message: OutboundMessage;
  readonly at: number;
}

let open: Array<{ h: Harness; esc: EscalationService }> = [];
afterEach(async () => {
  for (const { h, esc } of open) {
    await esc.stop();
    h.close();
  }
  open = [];
});

function start(clock = new VirtualClock(), dbFile = join(tempDir().dir, 'gateway.db')) {
  const h = harness({ rules: RULES, devices: DEVICES, clock, dbFile });
  const received: Received[] = [];
  const esc = new EscalationService({
    config: CONFIG,
    alarms: h.service,
    clock,
    log: silentLogger(),
    dbFile,
    senders: { mqttOptions: {} },
    dispatch: { maxAttempts: 3, initialBackoff: 1000, maxBackoff: 5000, jitter: 0, timeout: 5000, concurrency: 4 },
    deliver: (row, level) => async (message) => {
      received.push({ level: level.id, channel: row.channel, message, at: clock.now() });
      return { statusCode: 200 };
    },
  });
  esc.start();
  open.push({ h, esc });
  return { h, esc, received, clock, dbFile };
}

/** Let microtasks and the outbox worker's sends run (virtual time does not move). */
async function settle(esc: EscalationService): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await esc.worker.idle();
}

const escalations = (h: Harness, id: string) => h.service.journal(id).filter((j) => j.type === 'escalated');

describe('escalation ladder', () => {
  it('escalates an unacknowledged P1 at exactly 2 minutes, then the next level every 2 minutes, until acknowledged', async () => {
    const { h, esc, received, clock } = start();
    const t0 = clock.now();
    h.push('pu-1', 'running', true);
    await settle(esc);
    const id = h.service.active()[0]?.id as string;
    expect(id).toBeTypeOf('string');

    h.advance(2 * MIN - 1);
    await settle(esc);
    expect(escalations(h, id)).toEqual([]);
    expect(received).toEqual([]);

    h.advance(1);
    await settle(esc);
    const first = escalations(h, id);
    expect(first.map((j) => j.at)).toEqual([t0 + 2 * MIN]);
    expect(first[0]?.by).toBe('system:escalation');
    expect(first[0]?.text).toContain('Shift lead');
    expect(first[0]?.values).toEqual({ step: 1, level: 0 });
    expect(received.map((r) => [r.level, r.channel, r.at])).toEqual([['shift', 'webhook', t0 + 2 * MIN]]);

    h.advance(2 * MIN);
    await settle(esc);
    h.advance(2 * MIN);
    await settle(esc);
    h.advance(2 * MIN);
    await settle(esc);
    expect(escalations(h, id).map((j) => [j.at - t0, j.values.level])).toEqual([
      [2 * MIN, 0],
      [4 * MIN, 1],
      [6 * MIN, 2],
      [8 * MIN, 2], // the last level again once reached
    ]);
    expect(received.map((r) => `${r.level}/${r.channel}`)).toEqual(['shift/webhook', 'duty/webhook', 'duty/wecom', 'chief/dingtalk', 'chief/dingtalk']);

    h.service.acknowledge(id, 'op-li');
    await settle(esc);
    expect(esc.nextStep(id)).toBeUndefined();
    h.advance(30 * MIN);
    await settle(esc);
    expect(escalations(h, id)).toHaveLength(4);
    expect(received).toHaveLength(5);

    // every message reached its port exactly once (idempotency keys are the outbox ids)
    const ids = received.map((r) => r.message.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(esc.outbox.counts()).toMatchObject({ pending: 0, delivered: 5, dead: 0 });
    const body = JSON.parse(received[0]?.message.body ?? '{}') as { event: string; alarm: { id: string }; step: number; text: string };
    expect(body).toMatchObject({ event: 'alarm.escalated', alarm: { id }, step: 1 });
    expect(body.text).toContain('报警升级');
  });

  it('tells every level that was told, once, when the escalated alarm clears', async () => {
    const { h, esc, received } = start();
    h.push('pu-1', 'running', true);
    await settle(esc);
    const id = h.service.active()[0]?.id as string;
    h.advance(4 * MIN);
    await settle(esc);
    expect(escalations(h, id)).toHaveLength(2);
    h.push('pu-1', 'running', false); // condition gone (rtn-unack): escalation stops, "cleared" goes out
    await settle(esc);
    h.advance(10 * MIN);
    await settle(esc);
    const cleared = received.filter((r) => r.message.event === 'alarm.escalation_cleared');
    expect(cleared.map((r) => `${r.level}/${r.channel}`)).toEqual(['shift/webhook', 'duty/webhook', 'duty/wecom']);
    expect(h.service.journal(id).filter((j) => j.type === 'escalation-cleared')).toHaveLength(1);
    expect(escalations(h, id)).toHaveLength(2);
    h.service.acknowledge(id, 'op-li'); // closes it: no second "cleared"
    await settle(esc);
    expect(received.filter((r) => r.message.event === 'alarm.escalation_cleared')).toHaveLength(3);
  });

  it('uses the defaults per priority: P2 after 15 minutes, P4 never', async () => {
    const { h, esc, clock } = start();
    const t0 = clock.now();
    h.push('pu-2', 'running', true);
    h.push('pu-3', 'running', true);
    await settle(esc);
    const p4 = h.service.active().find((a) => a.priority === 4)?.id as string;
    const p2 = h.service.active().find((a) => a.priority === 2)?.id as string;
    h.advance(15 * MIN - 1);
    await settle(esc);
    expect(escalations(h, p2)).toEqual([]);
    h.advance(1);
    await settle(esc);
    expect(escalations(h, p2).map((j) => j.at - t0)).toEqual([15 * MIN]);
    h.advance(5 * 60 * MIN);
    await settle(esc);
    expect(escalations(h, p4)).toEqual([]);
    expect(alarmSettingsSchema.parse({}).escalation).toMatchObject({ enabled: false, priorities: { 1: { after: 2 * MIN }, 2: { after: 15 * MIN }, 3: { after: 60 * MIN } } });
  });

  it('does not escalate a shelved alarm', async () => {
    const { h, esc } = start();
    h.push('pu-3', 'running', true);
    await settle(esc);
    const id = h.service.active()[0]?.id as string;
    h.service.shelve(id, 'op-li', 'pump under test', 60 * MIN);
    await settle(esc);
    h.advance(30 * MIN);
    await settle(esc);
    expect(escalations(h, id)).toEqual([]);
  });

  it('resumes after a restart where the journal says it stood, without sending a step twice', async () => {
    const first = start();
    const t0 = first.clock.now();
    first.h.push('pu-1', 'running', true);
    await settle(first.esc);
    const id = first.h.service.active()[0]?.id as string;
    first.h.advance(2 * MIN);
    await settle(first.esc);
    expect(first.received).toHaveLength(1);
    await first.esc.stop();
    first.h.close();
    open = [];

    const again = start(first.clock, first.dbFile);
    await settle(again.esc);
    expect(again.received).toEqual([]); // step 1 is not sent again
    expect(again.esc.nextStep(id)).toBe(t0 + 4 * MIN);
    again.h.advance(2 * MIN);
    await settle(again.esc);
    expect(escalations(again.h, id).map((j) => j.at - t0)).toEqual([2 * MIN, 4 * MIN]);
    expect(again.received.map((r) => r.level)).toEqual(['duty', 'duty']);
  });
});
