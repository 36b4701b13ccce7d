/**
 * End to end through the real gateway: MQTT payloads published to the embedded broker → MQTT
 * connector → bus → rule engine → alarm persisted in data/gateway.db and pushed on the SSE stream.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { AlarmEvent } from '../../../rules/alarms/alarm-model.ts';
import { AlarmStore } from '../../../rules/alarms/alarm-store.ts';
import { tempDir } from '../../rules/harness.ts';
import { waitFor } from '../../support/wait-for.ts';

let gateway: RunningGateway;
let client: MqttClient;
let tmp: ReturnType<typeof tempDir>;
const northbound: Array<{ topic: string; event: AlarmEvent }> = [];
let stream: Awaited<ReturnType<typeof openStream>>;

const smoke = (i: number) => ({ id: `smoke-${i}`, kind: 'smoke_detector', building: 'b1', floor: 'F1', binding: { connector: 'mqtt', topic: `demo/b1/smoke/smoke-${i}/state` } });
const door = (i: number) => ({ id: `door-${i}`, kind: 'access_door', building: 'b1', floor: 'F1', binding: { connector: 'mqtt', topic: `demo/b1/door/door-${i}/state` } });

beforeAll(async () => {
  tmp = tempDir();
  const config = validateConfig({
    site: { id: 'e2e', name: 'E2E' },
    buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
    broker: { enabled: true, port: 0 },
    api: { port: 0 },
    storage: { dataDir: tmp.dir },
    connectors: [{ id: 'mqtt', type: 'mqtt', url: 'embedded', qos: 1, lifeSafetyTopics: ['demo/+/smoke/#'] }],
    devices: [smoke(1), smoke(2), door(1)],
    rulePacks: ['smoke_detector', 'access_door'],
    alarms: { northbound: { url: 'embedded', topic: 'site-alarms' } },
  });
  gateway = await startGateway(config, silentLogger());
  client = await mqtt.connectAsync(gateway.broker?.url as string, { clientId: 'e2e-test' });
  await client.subscribeAsync('site-alarms/#', { qos: 1 });
  client.on('message', (topic, payload) => northbound.push({ topic, event: JSON.parse(payload.toString()) as AlarmEvent }));
  stream = await openStream();
});

afterAll(async () => {
  stream?.close();
  await client?.endAsync();
  await gateway?.stop();
  tmp?.remove();
});

/** Read alarm events from the SSE endpoint over a real socket. */
async function openStream(): Promise<{ next: (pred: (e: AlarmEvent) => boolean, ms: number) => Promise<AlarmEvent>; events: AlarmEvent[]; close: () => void }> {
  const controller = new AbortController();
  const res = await fetch(`${gateway.apiUrl}/api/alarms/stream`, { signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const events: AlarmEvent[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  void (async () => {
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as AlarmEvent);
      }
      for (const w of waiters.splice(0)) w();
    }
  })();
  const next = (pred: (e: AlarmEvent) => boolean, ms: number): Promise<AlarmEvent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching alarm event within ${ms} ms; got ${events.map((e) => e.type).join(',')}`)), ms);
      const check = (): void => {
        const hit = events.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(check);
      };
      check();
    });
  return { next, events, close: () => controller.abort() };
}

const publish = (topic: string, payload: Record<string, unknown>): Promise<unknown> => client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });

describe('alarms end to end over MQTT', () => {
  // How fast (the 1 s promise to the control room) is measured by bench/rules-bench.ts, not here.
  it('a smoke detector alarm payload is persisted and pushed on the event stream', async () => {
    await publish('demo/b1/smoke/smoke-1/state', { obscuration_pct_m: 0.1, alarm: false, battery_pct: 90, tamper: false, heartbeat: 1, ts: Date.now() });
    await waitFor(async () => {
      const list = (await gateway.app.inject({ url: '/api/devices' })).json() as { devices: Array<{ id: string; points: Record<string, { value: unknown }> }> };
      return list.devices.find((d) => d.id === 'smoke-1')?.points.heartbeat?.value === 1;
    }, 15_000, 'the first smoke-1 report in the live view', 50);
    await publish('demo/b1/smoke/smoke-1/state', { obscuration_pct_m: 6.2, alarm: true, battery_pct: 90, tamper: false, heartbeat: 2, ts: Date.now() });
    const event = await stream.next((e) => e.type === 'raised' && e.alarm.device === 'smoke-1', 15_000);
    expect(event.alarm).toMatchObject({ rule: 'smoke.alarm', priority: 1, latching: true, state: 'active-unack', workOrder: { trade: 'fire_safety', priority: 1 } });
    // Persisted (read back through a second connection to the same file).
    const store = new AlarmStore(join(tmp.dir, 'gateway.db'));
    expect(store.get(event.alarm.id)?.state).toBe('active-unack');
    expect(store.journalOf(event.alarm.id).map((j) => j.type)).toEqual(['raised']);
    store.close();
    // And visible through the API.
    const list = (await gateway.app.inject({ url: '/api/alarms?priority=1' })).json() as { alarms: Array<{ id: string }> };
    expect(list.alarms.map((a) => a.id)).toContain(event.alarm.id);
    // Also published northbound.
    await waitFor(() => northbound.some((m) => m.event.alarm.id === event.alarm.id), 15_000, 'the northbound alarm message');
    expect(northbound.find((m) => m.event.alarm.id === event.alarm.id)?.topic).toBe('site-alarms/e2e/b1/smoke-1/raised');
  });

  it('a chattering point is flagged on one alarm, not flooding', async () => {
    const t0 = Date.now();
    for (let i = 0; i < 14; i++) {
      await publish('demo/b1/door/door-1/state', { door_open: i % 2 === 0, forced_open: i % 2 === 0, held_open: false, locked: i % 2 !== 0, reader_online: true, ts: t0 + i * 10 });
    }
    await stream.next((e) => e.type === 'chattering' && e.alarm.device === 'door-1', 15_000);
    await gateway.bus.drain();
    const forced = gateway.alarms.history({ device: 'door-1' }).filter((a) => a.rule === 'door.forced-open');
    expect(forced).toHaveLength(1);
    expect(forced[0]?.chattering).toBe(true);
    expect(stream.events.some((e) => e.type === 'flood')).toBe(false);
    expect(gateway.alarms.floods()).toEqual([]);
  });
});
