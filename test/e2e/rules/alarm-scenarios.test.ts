/**
 * Scenarios on the simulators at real speed: simulated smoke detectors and doors publish over MQTT
 * to the gateway's embedded broker; faults are injected into the device models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/sim-runner.ts';
import type { SimSite } from '../../../simulators/site-file.ts';
import type { AlarmEvent } from '../../../rules/alarm-model.ts';
import { tempDir } from '../../rules/harness.ts';

let gateway: RunningGateway;
let sims: RunningSimulators;
let tmp: ReturnType<typeof tempDir>;
const events: Array<{ at: number; e: AlarmEvent }> = [];

const detectors = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6'].map((floor) => ({
  id: `smoke-${floor}`,
  kind: 'smoke_detector' as const,
  building: 'b1',
  floor,
  binding: { connector: 'mqtt', topic: `demo/b1/smoke/smoke-${floor}/state` },
}));
const doors = ['F1', 'B1'].map((floor) => ({ id: `door-${floor}`, kind: 'access_door' as const, building: 'b1', floor, binding: { connector: 'mqtt', topic: `demo/b1/door/door-${floor}/state` } }));

beforeAll(async () => {
  tmp = tempDir();
  const devices = [...detectors, ...doors];
  const config = validateConfig({
    site: { id: 'scn', name: 'Scenario' },
    buildings: [{ id: 'b1', name: 'B1', floors: ['B1', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6'].map((id) => ({ id })) }],
    broker: { enabled: true, port: 0 },
    api: { port: 0 },
    storage: { dataDir: tmp.dir },
    connectors: [{ id: 'mqtt', type: 'mqtt', url: 'embedded', qos: 1 }],
    devices,
    rulePacks: ['smoke_detector', 'access_door', 'comms'],
  });
  gateway = await startGateway(config, silentLogger(), { listen: false });
  gateway.alarms.onEvent((e) => events.push({ at: performance.now(), e }));
  const site: SimSite = {
    siteId: 'scn',
    connectors: [{ id: 'mqtt', type: 'mqtt' }],
    devices: devices.map((d) => ({ id: d.id, kind: d.kind, building: d.building, floor: d.floor, connector: 'mqtt', binding: d.binding })),
  };
  sims = await startSimulators(site, { clock: gateway.clock, seed: 7, mqttUrl: gateway.broker?.url as string, publishIntervalMs: 200 });
  await new Promise((r) => setTimeout(r, 500)); // every device has reported
});

afterAll(async () => {
  await sims?.stop();
  await gateway?.stop();
  tmp?.remove();
});

async function waitFor(pred: (e: AlarmEvent) => boolean, ms: number): Promise<{ at: number; e: AlarmEvent }> {
  const until = performance.now() + ms;
  for (;;) {
    const hit = events.find((x) => pred(x.e));
    if (hit) return hit;
    if (performance.now() > until) throw new Error(`no matching alarm event within ${ms} ms (got ${events.map((x) => `${x.e.type}:${x.e.alarm.rule}`).join(', ')})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('scenarios on the simulators (real speed)', () => {
  it('fire drill: a detector going into alarm raises one priority-1 alarm within 1 s', async () => {
    expect(gateway.alarms.active()).toEqual([]); // a quiet site: no alarm, no comms loss
    const t0 = performance.now();
    sims.models.get('smoke-F3')?.injectFault('alarm');
    const hit = await waitFor((e) => e.type === 'raised' && e.alarm.rule === 'smoke.alarm', 1000);
    expect(hit.at - t0).toBeLessThan(1000);
    expect(hit.e.alarm).toMatchObject({ device: 'smoke-F3', floor: 'F3', priority: 1, latching: true });
    await new Promise((r) => setTimeout(r, 600)); // more reports of the same alarm
    const smoke = gateway.alarms.history().filter((a) => a.rule === 'smoke.alarm');
    expect(smoke.map((a) => a.device)).toEqual(['smoke-F3']);
    expect(gateway.alarms.journal(smoke[0]?.id as string).map((j) => j.type)).toEqual(['raised']);
  });

  it('tamper and low battery on another detector are separate alarms of their own priority', async () => {
    const m = sims.models.get('smoke-F5');
    m?.injectFault('tamper');
    m?.injectFault('low_battery');
    await waitFor((e) => e.alarm.rule === 'smoke.tamper', 1000);
    await waitFor((e) => e.alarm.rule === 'smoke.low-battery', 1000);
    const f5 = gateway.alarms.active({ device: 'smoke-F5' }).map((a) => `${a.rule}:P${a.priority}`).sort();
    expect(f5).toEqual(['smoke.low-battery:P4', 'smoke.tamper:P2']);
  });
});
