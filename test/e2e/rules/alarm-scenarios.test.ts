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
import type { AlarmEvent } from '../../../rules/alarms/alarm-model.ts';
import { tempDir } from '../../rules/harness.ts';
import { waitFor } from '../../support/wait-for.ts';

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
  await waitFor(() => devices.every((d) => lastReport(d.id) > 0), 30_000, 'a report from every device');
});

/** Time of the newest sample of a device in the live view (0 before any). */
const lastReport = (device: string): number => Math.max(0, ...Object.values(gateway.live.state(device)?.points ?? {}).map((p) => p.ts));

afterAll(async () => {
  await sims?.stop();
  await gateway?.stop();
  tmp?.remove();
});

function alarmEvent(pred: (e: AlarmEvent) => boolean, what: string): Promise<{ at: number; e: AlarmEvent }> {
  return waitFor(() => events.find((x) => pred(x.e)), 15_000, `${what} (events so far: ${events.map((x) => `${x.e.type}:${x.e.alarm.rule}`).join(', ')})`, 10);
}

describe('scenarios on the simulators (real speed)', () => {
  // (how fast: bench/rules-bench.ts; a wall-clock bound here would measure the machine's load)
  it('fire drill: a detector going into alarm raises one priority-1 alarm', async () => {
    expect(gateway.alarms.active()).toEqual([]); // a quiet site: no alarm, no comms loss
    sims.models.get('smoke-F3')?.injectFault('alarm');
    const hit = await alarmEvent((e) => e.type === 'raised' && e.alarm.rule === 'smoke.alarm', 'the smoke alarm');
    expect(hit.e.alarm).toMatchObject({ device: 'smoke-F3', floor: 'F3', priority: 1, latching: true });
    // more reports of the same alarm (the simulators publish every 200 ms)
    const reportedAt = lastReport('smoke-F3');
    await waitFor(() => lastReport('smoke-F3') >= reportedAt + 3 * 200, 15_000, 'three more reports of smoke-F3');
    const smoke = gateway.alarms.history().filter((a) => a.rule === 'smoke.alarm');
    expect(smoke.map((a) => a.device)).toEqual(['smoke-F3']);
    expect(gateway.alarms.journal(smoke[0]?.id as string).map((j) => j.type)).toEqual(['raised']);
  });

  it('tamper and low battery on another detector are separate alarms of their own priority', async () => {
    const m = sims.models.get('smoke-F5');
    m?.injectFault('tamper');
    m?.injectFault('low_battery');
    await alarmEvent((e) => e.alarm.rule === 'smoke.tamper', 'the tamper alarm');
    await alarmEvent((e) => e.alarm.rule === 'smoke.low-battery', 'the low-battery alarm');
    const f5 = gateway.alarms.active({ device: 'smoke-F5' }).map((a) => `${a.rule}:P${a.priority}`).sort();
    expect(f5).toEqual(['smoke.low-battery:P4', 'smoke.tamper:P2']);
  });
});
