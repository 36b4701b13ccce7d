/**
 * The MQTT simulators (doors, smoke detectors) seen by an independent client: `mosquitto_sub`
 * (Debian's mosquitto-clients) subscribed to the embedded aedes broker, started here on a free port.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerSchema } from '../../gateway/broker/broker-schema.ts';
import { startEmbeddedBroker, type RunningBroker } from '../../gateway/broker/embedded-broker.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { demoSite } from '../simulators/sim-test-helpers.ts';
import { killGroup, spawnTracked } from '../support/child-processes.ts';
import { waitFor } from '../support/wait-for.ts';

let broker: RunningBroker;
let sims: RunningSimulators | undefined;

beforeAll(async () => {
  broker = await startEmbeddedBroker(brokerSchema.parse({ port: 0, maxPacketSize: 65_536 }), pino({ level: 'silent' }));
});

afterAll(async () => {
  await sims?.stop();
  await broker?.close();
});

/** Run mosquitto_sub until it has `count` messages (or 15 s); returns `topic payload` lines. */
function subscribe(topic: string, count: number): { ready: Promise<void>; lines: Promise<string[]> } {
  const child = spawnTracked('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-v', '-C', String(count), '-W', '15', '-q', '1']);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const lines = new Promise<string[]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`mosquitto_sub exited ${code}: ${err}${out}`))));
  });
  // mosquitto_sub has subscribed once the broker counts its client
  const ready = waitFor(() => broker.clients() > 0, 15_000, 'mosquitto_sub to subscribe', 50).then(() => undefined);
  return { ready, lines };
}

describe('MQTT simulators seen by mosquitto_sub', () => {
  it('smoke detectors and doors publish JSON with canonical fields and ts on their demo topics', async () => {
    const { ready, lines } = subscribe('demo/#', 64);
    await ready;
    const site = demoSite();
    const mqttOnly = { ...site, devices: site.devices.filter((d) => d.kind === 'smoke_detector' || d.kind === 'access_door') };
    sims = await startSimulators(mqttOnly, { clock: new RealClock(), seed: 9, mqttUrl: broker.url, publishIntervalMs: 200 });
    sims.begin('smoke-b2-f4', 'alarm');
    const got = await lines;
    const byTopic = new Map<string, Record<string, unknown>>();
    for (const line of got) {
      const at = line.indexOf(' ');
      byTopic.set(line.slice(0, at), JSON.parse(line.slice(at + 1)) as Record<string, unknown>);
    }
    const smoke = byTopic.get('demo/b1/smoke/smoke-b1-f1/state');
    expect(smoke).toMatchObject({ alarm: false, tamper: false });
    expect(Object.keys(smoke ?? {}).sort()).toEqual(['alarm', 'battery_pct', 'heartbeat', 'obscuration_pct_m', 'tamper', 'ts']);
    expect(typeof smoke?.ts).toBe('number');
    const door = byTopic.get('demo/b2/door/door-b2-1/state');
    expect(door).toMatchObject({ reader_online: true, forced_open: false });
    expect(byTopic.get('demo/b2/smoke/smoke-b2-f4/state')).toMatchObject({ alarm: true });
  });
});
