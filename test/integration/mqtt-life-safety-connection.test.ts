/**
 * The life-safety connection against a real Mosquitto: a smoke alarm queued in the broker behind a
 * telemetry backlog (persistent sessions, the gateway away) comes in at the head of that backlog,
 * not after it; a message both connections receive is delivered once; the first start after an
 * upgrade delivers what the old single session queued; losing the life-safety connection marks only
 * its devices lost.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttConnector } from '../../gateway/connectors/mqtt/mqtt-connector.ts';
import { CollectingSink } from '../support/collecting-sink.ts';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.ts';
import { makeMqttConnector, publisher } from '../support/mqtt-fixture.ts';
import type { FixtureDevice } from '../support/opcua-fixture.ts';
import { waitFor } from '../support/wait-for.ts';

const PUMPS = 20;
const SMOKE_TOPIC = 'site/b1/smoke/s1/state';
const pumps: FixtureDevice[] = Array.from({ length: PUMPS }, (_, i) => ({ id: `pump-${i}`, kind: 'pump', binding: { topic: `site/b1/pump/pump-${i}/state` } }));
const smoke: FixtureDevice = { id: 'smoke-1', kind: 'smoke_detector', binding: { topic: SMOKE_TOPIC } };

let broker: Mosquitto | undefined;
const started: MqttConnector[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
  await broker?.stop();
  broker = undefined;
});

async function start(config: Record<string, unknown>, devices: readonly FixtureDevice[], sink = new CollectingSink()): Promise<{ connector: MqttConnector; sink: CollectingSink; trouble: ReturnType<typeof makeMqttConnector>['trouble'] }> {
  const { connector, trouble } = makeMqttConnector({ url: broker?.url, clean: false, qos: 1, reconnectMin: '100ms', reconnectMax: '200ms', ...config }, devices);
  started.push(connector);
  await connector.start(sink);
  await waitFor(() => connector.health().connected, 10_000, 'every connection of the connector up');
  return { connector, sink, trouble };
}

async function stop(connector: MqttConnector): Promise<void> {
  started.splice(started.indexOf(connector), 1);
  await connector.stop();
}

/** `count` QoS 1 pump messages, then one smoke alarm, all confirmed by the broker. */
async function publishBacklogThenAlarm(count: number): Promise<void> {
  const pub = await publisher(broker?.url ?? '', { clientId: 'backlog-publisher' });
  for (let at = 0; at < count; at += 1_000) {
    const chunk = Array.from({ length: Math.min(1_000, count - at) }, (_, k) => {
      const i = at + k;
      return pub.publishAsync(`site/b1/pump/pump-${i % PUMPS}/state`, JSON.stringify({ discharge_bar: i / 1_000 }), { qos: 1 });
    });
    await Promise.all(chunk);
  }
  await pub.publishAsync(SMOKE_TOPIC, JSON.stringify({ alarm: true }), { qos: 1 });
  await pub.endAsync();
}

/** Pump samples delivered before the smoke alarm, once the whole backlog is in. */
async function pumpSamplesBeforeAlarm(sink: CollectingSink, backlog: number): Promise<number> {
  const isAlarm = (s: CollectingSink['samples'][number]): boolean => s.device === 'smoke-1' && s.point === 'alarm' && s.value === true;
  await waitFor(() => sink.samples.some(isAlarm) && sink.samples.filter((s) => s.point === 'discharge_bar').length >= backlog, 60_000, `${backlog} pump samples and the smoke alarm`);
  return sink.samples.slice(0, sink.samples.findIndex(isAlarm)).filter((s) => s.point === 'discharge_bar').length;
}

describe('MQTT connector: the life-safety connection (real Mosquitto)', () => {
  it('brings a smoke alarm queued behind 30,000 telemetry messages before that backlog, and after it with one connection', async () => {
    const backlog = 30_000;
    broker = await startMosquitto({ maxQueuedMessages: 100_000 });
    const devices = [...pumps, smoke];

    const first = await start({ clientId: 'gw-lane' }, devices);
    expect(first.connector.health().detail?.lifeSafetyConnection).toMatchObject({ clientId: 'gw-lane-life-safety', connected: true, topics: 1, devices: 1 });
    await stop(first.connector);
    await publishBacklogThenAlarm(backlog);
    const lane = await start({ clientId: 'gw-lane' }, devices);
    const beforeWithLane = await pumpSamplesBeforeAlarm(lane.sink, backlog);
    await stop(lane.connector);

    // the same backlog with one connection: the alarm waits behind all of it
    const single = await start({ clientId: 'gw-single', lifeSafetyConnection: false }, devices);
    expect(single.connector.health().detail?.lifeSafetyConnection).toBeUndefined();
    await stop(single.connector);
    await publishBacklogThenAlarm(backlog);
    const one = await start({ clientId: 'gw-single', lifeSafetyConnection: false }, devices);
    const beforeWithOne = await pumpSamplesBeforeAlarm(one.sink, backlog);

    expect(beforeWithOne).toBe(backlog);
    // observed 16-20; the bound leaves room for a busy machine
    expect(beforeWithLane).toBeLessThan(backlog / 3);
  }, 120_000);

  it('delivers a smoke message once when a wildcard of the main connection also covers its topic', async () => {
    broker = await startMosquitto();
    // a pump bound by wildcard to the whole building: the main connection receives the smoke topic too
    const everything: FixtureDevice = { id: 'pump-all', kind: 'pump', binding: { topic: 'site/b1/#' } };
    const { connector, sink } = await start({ clientId: 'gw-overlap' }, [everything, smoke]);
    const pub = await publisher(broker.url);
    for (const alarm of [true, false, true]) await pub.publishAsync(SMOKE_TOPIC, JSON.stringify({ alarm, obscuration_pct_m: alarm ? 9 : 0 }), { qos: 1 });
    await pub.endAsync();
    const alarms = (): unknown[] => sink.samples.filter((s) => s.device === 'smoke-1' && s.point === 'alarm').map((s) => s.value);
    await waitFor(() => connector.health().detail?.lifeSafetyConnection !== undefined && (connector.health().detail?.lifeSafetyConnection as { duplicatesDropped: number }).duplicatesDropped === 3, 10_000, 'three copies dropped');
    expect(alarms()).toEqual([true, false, true]);
  }, 30_000);

  it('after an upgrade, delivers what the one-connection session queued and then takes the topic off it', async () => {
    broker = await startMosquitto();
    const pump = pumps[0] as FixtureDevice;
    const old = await start({ clientId: 'gw-upgrade', lifeSafetyConnection: false }, [pump, smoke]);
    await stop(old.connector);
    const pub = await publisher(broker.url);
    await pub.publishAsync(SMOKE_TOPIC, JSON.stringify({ alarm: true }), { qos: 1 });
    // a detector added at the upgrade: its topic was never in the old session
    const added: FixtureDevice = { id: 'smoke-2', kind: 'smoke_detector', binding: { topic: 'site/b1/smoke/s2/state' } };
    const { connector, sink } = await start({ clientId: 'gw-upgrade' }, [pump, smoke, added]);
    const alarms = (): unknown[] => sink.samples.filter((s) => s.device === 'smoke-1' && s.point === 'alarm').map((s) => s.value);
    await waitFor(() => alarms().length >= 1, 10_000, 'the alarm queued in the old session');
    await pub.publishAsync(SMOKE_TOPIC, JSON.stringify({ alarm: false }), { qos: 1 });
    await waitFor(() => alarms().length >= 2, 10_000, 'the next message, through the life-safety connection');
    // Messages published after it come, in order, behind anything the broker sent either connection
    // before them (one publisher, one subscriber each): a pump's on the main connection, the added
    // detector's on the life-safety one. Once both are in, a copy of the alarm would have been seen.
    await pub.publishAsync('site/b1/pump/pump-0/state', JSON.stringify({ discharge_bar: 1 }), { qos: 1 });
    await pub.publishAsync('site/b1/smoke/s2/state', JSON.stringify({ battery_pct: 90 }), { qos: 1 });
    await waitFor(() => sink.last('pump-0', 'discharge_bar')?.value === 1 && sink.last('smoke-2', 'battery_pct')?.value === 90, 10_000, 'later messages on both connections');
    await pub.endAsync();
    // the main session no longer subscribes the topic: nothing came twice, nothing was dropped as a copy
    expect(alarms()).toEqual([true, false]);
    expect(connector.health().detail?.lifeSafetyConnection).toMatchObject({ duplicatesDropped: 0 });
  }, 30_000);

  it('a lost life-safety connection marks its devices lost, and only those, until it is back', async () => {
    broker = await startMosquitto();
    // a slow reconnect, so the loss can be seen before the connection is back
    const { connector, sink, trouble } = await start({ clientId: 'gw-loss', reconnectMin: '2s', reconnectMax: '2s' }, [pumps[0] as FixtureDevice, smoke]);
    // another client taking the life-safety client id makes the broker close that connection
    const thief = await mqtt.connectAsync(broker.url, { clientId: 'gw-loss-life-safety', reconnectPeriod: 0 });
    await waitFor(() => trouble.list().some((t) => t.key === 'comms-lost:smoke-1'), 10_000, 'comms-lost trouble of the smoke detector');
    const lost = sink.samples.filter((s) => s.reason === 'comms lost');
    expect(new Set(lost.map((s) => s.device))).toEqual(new Set(['smoke-1']));
    expect(connector.health().connected).toBe(false);
    expect(connector.health().detail?.lifeSafetyConnection).toMatchObject({ connected: false });
    await thief.endAsync();
    await waitFor(() => connector.health().connected, 10_000, 'the life-safety connection back');
    const pub = await publisher(broker.url);
    await pub.publishAsync(SMOKE_TOPIC, JSON.stringify({ alarm: false }), { qos: 1 });
    await pub.endAsync();
    await waitFor(() => !trouble.list().some((t) => t.key === 'comms-lost:smoke-1'), 10_000, 'the trouble cleared by the next message');
  }, 30_000);
});
