import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const until = <T>(probe: () => T | undefined, what: string): Promise<T> => waitFor(probe, 5_000, what);

describe('gateway with the embedded broker and the MQTT connector', () => {
  const dir = tempDir();
  let gw: RunningGateway;
  let client: MqttClient;

  beforeAll(async () => {
    gw = await startGateway(smallSite(dir.path), silentLogger(), { listen: false });
    client = await mqtt.connectAsync(gw.broker?.url ?? 'missing', { clientId: 'test-device' });
  });

  afterAll(async () => {
    await client.endAsync();
    await gw.stop();
    dir.cleanup();
  });

  const publish = (topic: string, payload: string | Buffer): Promise<unknown> => client.publishAsync(topic, payload, { qos: 1 });

  it('a malformed payload is counted and logged, and the next good one still arrives', async () => {
    await publish('test/smoke/smoke-2', '{"obscuration_pct_m": 0.2, "battery_pct": 90');
    await publish('test/smoke/smoke-2', Buffer.from([0xff, 0xfe, 0x7b]));
    await publish('test/smoke/smoke-2', JSON.stringify({ obscuration_pct_m: 0.25, battery_pct: 91.5, alarm: false, tamper: false, heartbeat: 7 }));
    const state = await until(() => gw.live.state('smoke-2')?.points.heartbeat, 'the good payload');
    expect(state.value).toBe(7);
    const health = gw.connectors[0]?.health();
    expect(health?.errors).toMatchObject({ not_json: 1, not_utf8: 1 });
    expect((health?.detail?.badPayloadsByTopic as Record<string, number>)['test/smoke/smoke-2']).toBe(2);
    // an unreadable payload from a life-safety device raised a trouble condition, and a good one
    // cleared it (a loaded machine may add an event-loop-lag trouble: not this test's subject)
    expect(gw.trouble.list().filter((t) => t.key.startsWith('mqtt-unreadable'))).toEqual([]);
  });

  it('unreadable life-safety payloads raise a gateway trouble condition', async () => {
    await publish('test/smoke/smoke-1', 'not json at all');
    const trouble = await until(() => gw.trouble.list().find((t) => t.key === 'mqtt-unreadable:smoke-1'), 'a trouble condition');
    expect(trouble.lifeSafety).toBe(true);
    expect(trouble.message).toContain('smoke-1');
  });

  it('GET /api/devices lists every device with the last value, time and quality of each point', async () => {
    const ts = Date.now() - 1_000;
    await publish('test/door/door-1', JSON.stringify({ door_open: true, locked: false, last_event: 'granted', last_badge: 'B12345', ts }));
    await until(() => gw.live.state('door-1')?.points.last_badge, 'door sample');
    const res = await gw.app.inject({ url: '/api/devices' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { devices: Array<{ id: string; online: boolean; points: Record<string, { value: unknown; ts: number; quality: string }> }> };
    expect(body.devices.map((d) => d.id)).toEqual(['smoke-1', 'smoke-2', 'door-1']);
    const door = body.devices.find((d) => d.id === 'door-1');
    expect(door?.online).toBe(true);
    // badge ids are pseudonymised by default (gateway/privacy/badge-privacy.ts)
    expect(door?.points.last_badge).toEqual({ unit: null, type: 'string', value: expect.stringMatching(/^badge:[0-9a-f]{16}$/), ts, quality: 'good', reason: null });
    // never read: no value, uncertain, and why
    expect(door?.points.held_open).toEqual({ unit: null, type: 'boolean', value: null, ts: null, quality: 'uncertain', reason: 'not yet read' });
  });

  it('the history endpoint returns what was written', async () => {
    const base = Date.now() - 60_000;
    for (let i = 0; i < 5; i++) {
      await publish('test/smoke/smoke-1', JSON.stringify({ obscuration_pct_m: i / 10, ts: base + i * 1_000 }));
    }
    await until(() => (gw.live.state('smoke-1')?.points.obscuration_pct_m?.ts === base + 4_000 ? true : undefined), 'five samples');
    await gw.bus.drain();
    const res = await gw.app.inject({ url: `/api/devices/smoke-1/points/obscuration_pct_m/history?from=${base}&to=${new Date(base + 4_000).toISOString()}` });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { unit: string; samples: Array<{ ts: number; value: number; quality: string }> };
    expect(body.unit).toBe('%/m');
    expect(body.samples).toEqual([0, 1, 2, 3, 4].map((i) => ({ ts: base + i * 1_000, value: i / 10, quality: 'good' })));
  });

  it('a point without a value is served as null with its quality and reason, live and in history', async () => {
    const ts = Date.now() + 1; // newer than the readings of the tests before
    gw.bus.push([{ device: 'smoke-2', point: 'battery_pct', value: null, ts, quality: 'bad', reason: 'comms lost' }]);
    await gw.bus.drain();
    const live = await gw.app.inject({ url: '/api/devices/smoke-2' });
    expect(live.statusCode).toBe(200);
    expect((live.json() as { points: Record<string, unknown> }).points.battery_pct).toEqual({ unit: '%', type: 'number', value: null, ts, quality: 'bad', reason: 'comms lost' });
    const res = await gw.app.inject({ url: `/api/devices/smoke-2/points/battery_pct/history?from=${ts}&to=${ts}` });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { samples: unknown[] }).samples).toEqual([{ ts, value: null, quality: 'bad', reason: 'comms lost' }]);
  });

  it('invalid query parameters get 400 naming the parameter; unknown things get 404', async () => {
    const bad = await gw.app.inject({ url: '/api/devices/smoke-1/points/obscuration_pct_m/history?from=yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((bad.json() as { error: { message: string } }).error.message).toMatch(/^from: .*"yesterday"/);
    const limit = await gw.app.inject({ url: '/api/devices/smoke-1/points/obscuration_pct_m/history?limit=0' });
    expect(limit.statusCode).toBe(400);
    expect((limit.json() as { error: { message: string } }).error.message).toMatch(/^limit:/);
    const order = await gw.app.inject({ url: '/api/devices/smoke-1/points/obscuration_pct_m/history?from=2000&to=1000' });
    expect(order.statusCode).toBe(400);
    const kind = await gw.app.inject({ url: '/api/devices?kind=toaster' });
    expect(kind.statusCode).toBe(400);
    expect((kind.json() as { error: { message: string } }).error.message).toMatch(/^kind:/);
    expect((await gw.app.inject({ url: '/api/devices/nope' })).statusCode).toBe(404);
    const point = await gw.app.inject({ url: '/api/devices/smoke-1/points/flux/history' });
    expect(point.statusCode).toBe(404);
    expect((point.json() as { error: { message: string } }).error.message).toContain('no point "flux"');
  });

  it('GET /api/health reports process, connectors, storage, queues and broker', async () => {
    const res = await gw.app.inject({ url: '/api/health' });
    const body = res.json() as Record<string, unknown>;
    expect(res.statusCode).toBe(200);
    // the publisher only: the gateway ingests inside the broker, not as an MQTT client
    expect(body).toMatchObject({ broker: { clients: 1 }, storage: { kind: 'sqlite' } });
    expect((body.connectors as Array<{ id: string; connected: boolean }>)[0]).toMatchObject({ id: 'mqtt-local', connected: true });
    expect((body.queues as Array<{ name: string }>).map((q) => q.name)).toEqual(['rules', 'storage', 'live', 'uptime']); // in delivery order: rules first
  });

  it('serves the OpenAPI description at /docs', async () => {
    const res = await gw.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/health', '/api/devices', '/api/devices/{id}/points/{point}/history']));
  });

  it('GET /api/health shows the embedded broker with its refusal counters (slow clients, limits, failed logins)', async () => {
    const res = await gw.app.inject({ url: '/api/health' });
    const broker = (res.json() as { broker: { clients: number; refusals: Record<string, number>; intake: Record<string, unknown> } }).broker;
    // the test's publisher; the gateway ingests inside the broker and is not a client (broker-ingest.ts)
    expect(broker.clients).toBe(1);
    expect(broker.refusals).toEqual({ oversized: 0, publish: 0, subscribe: 0, connections: 0, auth: 0, slowClients: 0 });
    // the read-ahead bound at its default (bus.pauseIntakeAt), not holding anyone back
    expect(broker.intake).toMatchObject({ pauseAt: 20_000, paused: false, pausedClients: 0, pauses: 0, unstored: 0 });
  });
});
