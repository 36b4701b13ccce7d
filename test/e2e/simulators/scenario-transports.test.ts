/**
 * Scenarios through the real transports on a VirtualClock (what short scenario tests of the gateway
 * do), and through the gateway's own sample bus (what month-long runs do).
 */
import Modbus from 'modbus-serial';
import { afterAll, describe, expect, it } from 'vitest';
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { SampleDigest } from '../../../simulators/record/sample-digest.ts';
import { runScenario } from '../../../simulators/scenario/scenario-runner.ts';
import { DEFAULT_SCENARIO_START } from '../../../simulators/scenario/scenario-schema.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/sim-runner.ts';
import { demoSite, freePort, shippedScenario } from '../../simulators/sim-test-helpers.ts';

const ModbusClientClass = Modbus as unknown as typeof Modbus.default;

describe('elevator-entrapment through the Modbus transport on a virtual clock', () => {
  let sims: RunningSimulators | undefined;
  let client: InstanceType<typeof Modbus.default> | undefined;
  afterAll(async () => {
    await new Promise<void>((resolve) => (client ? client.close(() => resolve()) : resolve()));
    await sims?.stop();
  });

  it('a Modbus client sees code 41 and the alarm coil at the scripted times, and the rescue', async () => {
    const site = demoSite();
    const scenario = shippedScenario('elevator-entrapment');
    const clock = new VirtualClock(Date.parse(scenario.start ?? '') || DEFAULT_SCENARIO_START);
    const port = await freePort();
    sims = await startSimulators(
      { ...site, devices: site.devices.filter((d) => d.kind === 'elevator') },
      { clock, scenario, ports: { 'modbus-elevators': port } },
    );
    client = new ModbusClientClass();
    await client.connectTCP('127.0.0.1', { port });
    client.setTimeout(10_000); // generous: an answer may be slow on a loaded machine
    client.setID(1);
    const read = async () => ({ code: (await client!.readInputRegisters(2, 1)).data[0], coils: (await client!.readCoils(0, 4)).data.slice(0, 4) });

    clock.advance(10 * 60_000 - 1_000);
    expect((await read()).code).toBe(0);
    clock.advance(1_000);
    expect(await read()).toEqual({ code: 41, coils: [false, false, false, false] }); // stopped, alarm not yet pressed
    clock.advance(15_000);
    expect(await read()).toEqual({ code: 41, coils: [false, false, false, true] });
    clock.advance(35 * 60_000 - 15_000);
    const rescued = await read();
    expect(rescued.code).toBe(0);
    expect(rescued.coils[0]).toBe(true); // back in service
    expect(rescued.coils[3]).toBe(false);
  });
});

describe('a scenario into the gateway sample bus (sync delivery)', () => {
  it('every subscriber receives exactly the stream the runner produced, in order', () => {
    const scenario = shippedScenario('fire-drill');
    const direct = new SampleDigest();
    runScenario({ site: demoSite(), scenario, sink: direct });
    const bus = new SampleBus({ capacity: 100_000, delivery: 'sync' });
    const viaBus = new SampleDigest();
    bus.subscribe('digest', (batch) => viaBus.push(batch));
    runScenario({ site: demoSite(), scenario, sink: bus });
    expect(viaBus.count).toBe(direct.count);
    expect(viaBus.hex()).toBe(direct.hex());
  });
});
