/**
 * The device condition as the API serves it: computed by the gateway from the kind descriptor, the
 * connector's comms state (sample contract: a `comms lost` sample, then a good one) and the values.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import type { LiveEvent } from '../../../gateway/live/event-hub.ts';
import type { LiveSample } from '../../../gateway/live/live-view.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

interface DeviceBody {
  id: string;
  online: boolean;
  comms: string;
  condition: string;
  conditionReason: string;
  points: Record<string, { value: unknown; quality: string | null; reason: string | null }>;
}

describe('device condition through the API', () => {
  const dir = tempDir();
  let gw: RunningGateway;
  let client: MqttClient;
  const events: LiveEvent[] = [];

  beforeAll(async () => {
    gw = await startGateway(smallSite(dir.path), silentLogger(), { listen: false });
    gw.events.subscribe((e) => events.push(e));
    client = await mqtt.connectAsync(gw.broker?.url ?? 'missing', { clientId: 'condition-test' });
  });

  afterAll(async () => {
    await client.endAsync();
    await gw.stop();
    dir.cleanup();
  });

  const device = async (id: string): Promise<DeviceBody> => {
    const res = await gw.app.inject({ url: `/api/devices/${id}` });
    expect(res.statusCode).toBe(200);
    return res.json() as DeviceBody;
  };
  const health = async (): Promise<{ status: string; devices: { commsLost: string[] } }> =>
    (await gw.app.inject({ url: '/api/health' })).json() as { status: string; devices: { commsLost: string[] } };
  // The sample contract's comms-lost sample (value null); Sample's own type allows null once gateway/model/sample.ts carries the contract.
  const commsLost = (device: string, point: string): Sample => ({ device, point, value: null, ts: Date.now(), quality: 'bad', reason: 'comms lost' }) satisfies LiveSample as unknown as Sample;

  it('a device never heard from is unknown, offline, and its points are null with "not yet read"', async () => {
    const d = await device('smoke-2');
    expect(d).toMatchObject({ online: false, comms: 'unknown', condition: 'unknown', conditionReason: 'nothing read yet' });
    expect(d.points.alarm).toMatchObject({ value: null, quality: 'uncertain', reason: 'not yet read' });
  });

  it('a smoke alarm is served as in_alarm with its reason, and announced on the live stream', async () => {
    await client.publishAsync('test/smoke/smoke-1', JSON.stringify({ obscuration_pct_m: 4.2, alarm: true, battery_pct: 90, tamper: false, heartbeat: 1 }), { qos: 1 });
    await waitFor(() => gw.live.state('smoke-1')?.condition.condition === 'in_alarm', 5_000, 'smoke alarm');
    expect(await device('smoke-1')).toMatchObject({ online: true, comms: 'ok', condition: 'in_alarm', conditionReason: 'alarm=true' });
    const announced = events.filter((e) => e.topic === 'device').map((e) => e.data as { device: string; condition: { condition: string } });
    expect(announced.some((e) => e.device === 'smoke-1' && e.condition.condition === 'in_alarm')).toBe(true);
  });

  it('comms lost: offline at once, health degraded; a good sample ends it', async () => {
    await client.publishAsync('test/door/door-1', JSON.stringify({ door_open: false, locked: true, reader_online: true, forced_open: false }), { qos: 1 });
    await waitFor(() => gw.live.state('door-1')?.online, 5_000, 'door online');
    gw.bus.push(['door_open', 'locked', 'reader_online', 'forced_open'].map((p) => commsLost('door-1', p)));
    await waitFor(() => gw.live.state('door-1')?.comms === 'lost', 5_000, 'comms lost applied');
    expect(await device('door-1')).toMatchObject({ online: false, comms: 'lost', condition: 'comms_lost', conditionReason: 'comms lost' });
    expect((await device('door-1')).points.locked).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    const degraded = await health();
    expect(degraded.status).toBe('degraded');
    expect(degraded.devices.commsLost).toEqual(['door-1']);

    await client.publishAsync('test/door/door-1', JSON.stringify({ door_open: false, locked: true, reader_online: true, forced_open: false }), { qos: 1 });
    await waitFor(() => gw.live.state('door-1')?.online, 5_000, 'door back online');
    expect(await device('door-1')).toMatchObject({ online: true, comms: 'ok', condition: 'normal' });
    expect((await health()).devices.commsLost).toEqual([]);
  });

  it('comms loss of a life-safety device is a trouble condition at once; its first good sample clears it', async () => {
    await client.publishAsync('test/smoke/smoke-2', JSON.stringify({ obscuration_pct_m: 0.1, alarm: false, battery_pct: 90, tamper: false, heartbeat: 1 }), { qos: 1 });
    await waitFor(() => gw.live.state('smoke-2')?.online, 5_000, 'smoke-2 online');
    gw.bus.push(['alarm', 'tamper'].map((p) => commsLost('smoke-2', p)));
    const t = await waitFor(() => gw.trouble.list().find((c) => c.key === 'device-comms-lost:smoke-2'), 5_000, 'comms trouble');
    expect(t).toMatchObject({ lifeSafety: true, source: 'mqtt-local' });
    await client.publishAsync('test/smoke/smoke-2', JSON.stringify({ alarm: false, tamper: false, heartbeat: 2 }), { qos: 1 });
    await waitFor(() => !gw.trouble.list().some((c) => c.key === 'device-comms-lost:smoke-2'), 5_000, 'comms trouble cleared');
  });

  it('GET /api/site serves the kind descriptors the dashboard draws from', async () => {
    const site = (await gw.app.inject({ url: '/api/site' })).json() as { kinds: Array<{ kind: string; label: { 'zh-CN': string }; lifeSafety: boolean; inAlarm: unknown[]; points: Array<{ name: string }> }> };
    expect(site.kinds.map((k) => k.kind)).toEqual(['elevator', 'fire_panel', 'pump', 'access_door', 'smoke_detector']);
    const fire = site.kinds.find((k) => k.kind === 'fire_panel');
    expect(fire).toMatchObject({ lifeSafety: true, label: { 'zh-CN': '火灾报警控制器' }, inAlarm: [{ point: 'zone_*_state', eq: 'fire' }] });
    expect(site.kinds.find((k) => k.kind === 'pump')?.points.map((p) => p.name)).toContain('discharge_bar');
  });
});
