/** startSimulators: every device of the demo site on its protocol, and "off the network" over MQTT. */
import { rmSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/sim-runner.ts';
import { startSimBroker, type SimBroker } from '../../../simulators/transports/sim-broker.ts';
import { parseScenarioText } from '../../../simulators/scenario/scenario-file.ts';
import { demoSite, freePort } from '../../simulators/sim-test-helpers.ts';
import { freeUdpPort } from '../../support/free-port.ts';
import { waitFor as waitForCondition } from '../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../support/temp-dir.ts';


const pki = makeTempDir(RAM_TMP, 'sim-runner-test-');
let broker: SimBroker;
let sims: RunningSimulators;
let sub: MqttClient;
const seen: Array<{ topic: string; at: number; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  broker = await startSimBroker('127.0.0.1', 0);
  sub = await mqtt.connectAsync(broker.url, { clientId: 'sim-runner-test-sub' });
  await sub.subscribeAsync('demo/#', { qos: 1 });
  sub.on('message', (topic, payload) => seen.push({ topic, at: Date.now(), body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  const ports = { 'modbus-elevators': await freePort(), 'modbus-pumps': await freePort(), 'opcua-fire': await freePort(), 'bacnet-hvac/ahu-b1-roof': await freeUdpPort() };
  const scenario = parseScenarioText('name: t\nduration: 1h\nevents:\n  - { at: 0s, device: door-b2-2, fault: forced_open }\n');
  sims = await startSimulators(demoSite(), { clock: new RealClock(), seed: 2, mqttUrl: broker.url, publishIntervalMs: 100, ports, scenario, opcuaPkiDir: pki });
});

afterAll(async () => {
  await sims?.stop();
  await sub?.endAsync();
  await broker?.close();
  rmSync(pki, { recursive: true, force: true });
});

const waitFor = (cond: () => boolean, ms = 15_000): Promise<boolean> => waitForCondition(cond, ms, 'the condition');

describe('startSimulators on the demo site', () => {
  it('simulates all 23 devices, each kind on its protocol, bound to 127.0.0.1', () => {
    expect(sims.models.size).toBe(21); // the air-handling units (BACnet, Sparkplug) are their transports alone (no model)
    expect(sims.unsupported).toEqual([]);
    const byProtocol = Object.fromEntries(sims.endpoints.map((e) => [e.connector, [e.protocol, e.host, e.devices.length]]));
    expect(byProtocol).toEqual({
      'modbus-elevators': ['modbus', '127.0.0.1', 2],
      'modbus-pumps': ['modbus', '127.0.0.1', 2],
      'opcua-fire': ['opcua', '127.0.0.1', 1],
      mqtt: ['mqtt', '127.0.0.1', 16],
      'bacnet-hvac': ['bacnet', '127.0.0.1', 1],
      'sparkplug-bms': ['sparkplug', '127.0.0.1', 1],
    });
    expect(sims.timeline).toEqual([{ device: 'door-b2-2', fault: 'forced_open', start: 0, end: 3_600_000, source: 'events[0]' }]);
  });

  it('applies the scenario timeline on the clock: the door reports forced open', async () => {
    expect(await waitFor(() => seen.some((m) => m.topic === 'demo/b2/door/door-b2-2/state' && m.body.forced_open === true))).toBe(true);
    expect(await waitFor(() => seen.some((m) => m.topic === 'demo/b2/door/door-b2-2/state/events' && m.body.event === 'forced_open'))).toBe(true);
  });

  it('a detector off the network, or silenced, stops publishing and resumes when it comes back', async () => {
    const topic = 'demo/b1/smoke/smoke-b1-f2/state';
    const count = () => seen.filter((m) => m.topic === topic).length;
    for (const fault of ['offline', 'silence']) {
      expect(await waitFor(() => count() > 0)).toBe(true);
      const neighbour = () => seen.filter((m) => m.topic === 'demo/b1/smoke/smoke-b1-f3/state').length;
      sims.begin('smoke-b1-f2', fault);
      // a publish may be in flight: let the neighbour report twice, then count
      const settled = neighbour() + 2;
      await waitFor(() => neighbour() >= settled);
      const before = count();
      const others = neighbour();
      // three more reports of the neighbour (time passed for the simulators), none of the silenced one
      await waitFor(() => neighbour() > others + 2);
      expect(count()).toBe(before);
      sims.end('smoke-b1-f2', fault);
      expect(await waitFor(() => count() > before)).toBe(true);
    }
  });
});
