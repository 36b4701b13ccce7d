/**
 * The BACnet/IP connector against the project's BACnet device simulator (an air-handling unit, a
 * site kind declared in YAML), on 127.0.0.1 with free UDP ports: Who-Is discovery finds it;
 * ReadPropertyMultiple polling reads analog and binary objects (an unknown object is a bad point
 * with the device's error); a subscribed object's change arrives by COV although its poll interval
 * is a minute; a device that stops answering is marked comms lost.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descriptorOf, siteKindSchema } from '../../../../../gateway/config/kind-schema.ts';
import { BacnetConnector } from '../../../../../gateway/connectors/bacnet/bacnet-connector.ts';
import { discoverDevices } from '../../../../../gateway/connectors/bacnet/bacnet-discover.ts';
import { bacnetConnectorSchema } from '../../../../../gateway/connectors/bacnet/bacnet-schema.ts';
import { silentLogger } from '../../../../../gateway/log/logger.ts';
import { RealClock } from '../../../../../gateway/model/clock.ts';
import { registerSiteKinds } from '../../../../../gateway/model/kinds/index.ts';
import { TroubleBoard } from '../../../../../gateway/trouble/trouble-board.ts';
import { BacnetSimDevice } from '../../../../../simulators/transports/bacnet-sim-device.ts';
import { spawnTracked } from '../../../../support/child-processes.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { waitFor } from '../../../../support/wait-for.ts';

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const AHU_KIND = siteKindSchema.parse({
  kind: 'air_handling_unit',
  label: { en: 'Air-handling unit', 'zh-CN': '空调机组' },
  points: [
    { name: 'supply_air_temp_c', type: 'number', unit: '°C', label: { en: 'Supply air temperature', 'zh-CN': '送风温度' } },
    { name: 'return_air_temp_c', type: 'number', unit: '°C', label: { en: 'Return air temperature', 'zh-CN': '回风温度' } },
    { name: 'fan_running', type: 'boolean', label: { en: 'Supply fan running', 'zh-CN': '送风机运行' } },
    { name: 'filter_dirty', type: 'boolean', label: { en: 'Filter dirty', 'zh-CN': '过滤网脏堵' } },
    { name: 'fan_speed_pct', type: 'number', unit: '%', label: { en: 'Fan speed', 'zh-CN': '风机转速' } },
  ],
  fault: [{ point: 'filter_dirty', eq: true }],
  commands: [{ name: 'boost_fan', label: { en: 'Boost fan', 'zh-CN': '风机加速' } }],
});

let sim: BacnetSimDevice;
let connector: BacnetConnector;
const sink = new CollectingSink();
let simPort = 0;

beforeAll(async () => {
  registerSiteKinds([descriptorOf(AHU_KIND)]);
  simPort = await freeUdpPort();
  sim = new BacnetSimDevice({ host: '127.0.0.1', port: simPort, deviceId: 2001 });
  await sim.start();
  const clock = new RealClock();
  const config = bacnetConnectorSchema.parse({ id: 'bac', type: 'bacnet', interface: '127.0.0.1', port: await freeUdpPort(), broadcastAddress: '127.0.0.1', apduTimeout: '2s', covLifetime: '60s', failuresBeforeLost: 2 });
  const info = (id: string) => ({ id, name: id, kind: 'air_handling_unit', location: { site: 't', building: 'b1', floor: 'F1' }, connector: 'bac' });
  connector = new BacnetConnector(config, {
    clock,
    log: silentLogger(),
    trouble: new TroubleBoard(clock),
    devices: [
      {
        info: info('ahu-cov'),
        binding: {
          connector: 'bac',
          address: `127.0.0.1:${simPort}`,
          deviceId: 2001,
          pollInterval: '60s',
          objects: {
            supply_air_temp_c: { type: 'analog-input', instance: 1, cov: true },
            fan_running: { type: 'binary-input', instance: 1 },
            filter_dirty: { type: 'binary-input', instance: 2 },
            fan_speed_pct: { type: 'analog-output', instance: 1 },
            return_air_temp_c: { type: 'analog-input', instance: 99 },
          },
          commands: { boost_fan: { type: 'analog-output', instance: 1, value: 100, priority: 8 } },
        },
      },
      {
        info: info('ahu-bad'),
        binding: {
          connector: 'bac',
          address: `127.0.0.1:${simPort}`,
          deviceId: 2001,
          pollInterval: '60s',
          objects: { return_air_temp_c: { type: 'analog-input', instance: 2 } },
          commands: { boost_fan: { type: 'analog-output', instance: 7, value: 100 } },
        },
      },
      { info: info('ahu-poll'), binding: { connector: 'bac', address: `127.0.0.1:${simPort}`, deviceId: 2001, pollInterval: '300ms', objects: { return_air_temp_c: { type: 'analog-input', instance: 2 } } } },
    ],
  });
  await connector.start(sink);
});

afterAll(async () => {
  await connector?.stop();
  sim?.stop();
});

describe('BACnet/IP', () => {
  it('Who-Is discovery finds the simulated device', async () => {
    const found = await discoverDevices({ interface: '127.0.0.1', port: await freeUdpPort(), targets: [`127.0.0.1:${simPort}`], waitMs: 20_000, enough: (f) => f.length > 0 });
    expect(found).toEqual([{ deviceId: 2001, address: `127.0.0.1:${simPort}`, vendorId: 999, maxApdu: expect.any(Number) }]);
  });

  it('`gateway bacnet discover` lists it', async () => {
    const child = spawnTracked(process.execPath, ['gateway/cli.ts', 'bacnet', 'discover', '--interface', '127.0.0.1', '--target', `127.0.0.1:${simPort}`, '--wait', '5', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ devices: [{ deviceId: 2001, address: `127.0.0.1:${simPort}`, vendorId: 999, maxApdu: expect.any(Number) }] });
  });

  it('polls analog and binary objects with ReadPropertyMultiple; an unknown object is bad with the device error', async () => {
    await waitFor(() => sink.last('ahu-cov', 'fan_speed_pct') !== undefined, 20_000, 'the first poll');
    expect(sink.last('ahu-cov', 'supply_air_temp_c')).toMatchObject({ value: 16.5, quality: 'good' });
    expect(sink.last('ahu-cov', 'fan_running')).toMatchObject({ value: true, quality: 'good' });
    expect(sink.last('ahu-cov', 'filter_dirty')).toMatchObject({ value: false, quality: 'good' });
    expect(sink.last('ahu-cov', 'fan_speed_pct')).toMatchObject({ value: 72, quality: 'good' });
    expect(sink.last('ahu-cov', 'return_air_temp_c')).toMatchObject({ value: null, quality: 'bad', reason: 'bacnet error class 1 code 31' });
    expect(sink.last('ahu-poll', 'return_air_temp_c')).toMatchObject({ value: 24.25, quality: 'good' });
  });

  it('a subscribed object arrives by COV when it changes (its poll is a minute away)', async () => {
    await waitFor(() => sim.stats.subscribeCov > 0 && connector.health().detail?.covSubscriptions === 1, 20_000, 'the COV subscription');
    sim.set(0, 1, 18.75);
    await waitFor(() => sink.last('ahu-cov', 'supply_air_temp_c')?.value === 18.75, 20_000, 'the change by COV');
    expect(sim.stats.covNotifications).toBe(1);
  });

  it('a command is a WriteProperty with priority, confirmed by reading back; a refused write fails', async () => {
    const r = await connector.command({ device: 'ahu-cov', command: 'boost_fan', confirmTimeout: 10_000 });
    expect(r).toEqual({ result: 'confirmed', detail: 'WriteProperty analog-output 1 present-value := 100 @ priority 8; read back 100' });
    expect(sim.lastPriority).toBe(8);
    const bad = await connector.command({ device: 'ahu-bad', command: 'boost_fan', confirmTimeout: 2_000 });
    expect(bad.result).toBe('failed');
    expect(bad.detail).toMatch(/^WriteProperty analog-output 7 present-value := 100 @ priority 8: /);
    expect(connector.mappedCommands('ahu-cov')).toEqual(['boost_fan']);
  });

  it('registers as a foreign device with a BBMD', async () => {
    const clock = new RealClock();
    const port = await freeUdpPort();
    const config = bacnetConnectorSchema.parse({ id: 'bac-fd', type: 'bacnet', interface: '127.0.0.1', port, broadcastAddress: '127.0.0.1', bbmd: { address: `127.0.0.1:${simPort}`, ttl: '120s' } });
    const foreign = new BacnetConnector(config, { clock, log: silentLogger(), trouble: new TroubleBoard(clock), devices: [] });
    await foreign.start(new CollectingSink());
    try {
      expect(foreign.health().detail?.foreignDevice).toEqual({ bbmd: `127.0.0.1:${simPort}`, state: 'registered' });
      expect(sim.foreignDevices.get(`127.0.0.1:${port}`)).toBe(120);
    } finally {
      await foreign.stop();
    }
  });

  it('a device that stops answering is marked comms lost', async () => {
    sim.stop();
    await waitFor(() => sink.last('ahu-poll', 'return_air_temp_c')?.reason === 'comms lost', 30_000, 'comms lost');
    expect(sink.last('ahu-poll', 'return_air_temp_c')).toMatchObject({ value: null, quality: 'bad' });
  });
});
