/**
 * The Modbus simulators against an independent client (modbus-serial's ModbusRTU client), and the
 * demo site's register maps against what the simulators serve.
 */
import Modbus from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../gateway/config/load-config.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/sim-runner.ts';
import { readFileSync } from 'node:fs';
import { DEMO_SITE_FILE, demoSite, freePort } from '../../simulators/sim-test-helpers.ts';

// The CommonJS export is the client class itself; the typings describe it as a default export.
const ModbusClientClass = Modbus as unknown as typeof Modbus.default;
type ModbusClient = InstanceType<typeof Modbus.default>;

const site = demoSite();
const modbusSite = { ...site, devices: site.devices.filter((d) => d.kind === 'elevator' || d.kind === 'pump') };

let sims: RunningSimulators;
let client: ModbusClient;
const clock = new VirtualClock(Date.UTC(2026, 2, 2, 1, 0)); // 09:00 local: lifts busy
let elevatorPort = 0;
let pumpPort = 0;

async function connect(port: number): Promise<ModbusClient> {
  const c = new ModbusClientClass();
  await c.connectTCP('127.0.0.1', { port });
  c.setTimeout(10_000); // an answer may be slow on a loaded machine; only a silent unit times out
  return c;
}

const f32 = (hi: number, lo: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(hi, 0);
  b.writeUInt16BE(lo, 2);
  return b.readFloatBE(0);
};

beforeAll(async () => {
  elevatorPort = await freePort();
  pumpPort = await freePort();
  sims = await startSimulators(modbusSite, { clock, seed: 5, ports: { 'modbus-elevators': elevatorPort, 'modbus-pumps': pumpPort } });
  clock.advance(10 * 60_000); // ten minutes of traffic: trips, moves, load
  client = await connect(elevatorPort);
});

afterAll(async () => {
  await new Promise<void>((resolve) => client?.close(() => resolve()));
  await sims?.stop();
});

describe('Modbus elevator simulator (map elevator-sim)', () => {
  it('serves each elevator on its unit id with the documented layout', async () => {
    for (const [unit, id] of [[1, 'elev-b1-1'], [2, 'elev-b2-1']] as const) {
      client.setID(unit);
      const want = sims.fleet.model(id).report();
      const coils = await client.readCoils(0, 4);
      expect(coils.data.slice(0, 4)).toEqual([want.in_service, want.moving, want.door_open, want.alarm_button]);
      const regs = (await client.readInputRegisters(0, 8)).data;
      expect(Buffer.from(Uint16Array.from([regs[0] as number]).buffer).readInt16LE(0)).toBe(want.floor);
      expect(regs[1]).toBe({ idle: 0, up: 1, down: 2 }[want.direction as string]);
      expect(regs[2]).toBe(want.fault_code);
      expect((regs[3] as number) / 10).toBeCloseTo(want.load_pct as number, 5);
      expect((regs[4] as number) * 65536 + (regs[5] as number)).toBe(want.trip_count);
      expect(f32(regs[6] as number, regs[7] as number)).toBeCloseTo(want.run_hours as number, 2);
    }
  });

  it('reports an entrapment as code 41, stopped, doors shut, with the alarm button pressed', async () => {
    sims.begin('elev-b1-1', 'entrapment');
    clock.advance(20_000);
    client.setID(1);
    expect((await client.readCoils(0, 4)).data.slice(0, 4)).toEqual([false, false, false, true]);
    expect((await client.readInputRegisters(2, 1)).data).toEqual([41]);
    sims.end('elev-b1-1', 'entrapment');
    clock.advance(10_000);
    expect((await client.readInputRegisters(2, 1)).data).toEqual([0]);
  });

  it('an unknown unit id gets exception 0x0B and an address outside the table gets 0x02', async () => {
    client.setID(9);
    await expect(client.readInputRegisters(0, 1)).rejects.toMatchObject({ modbusCode: 11 });
    client.setID(1);
    await expect(client.readInputRegisters(100, 1)).rejects.toMatchObject({ modbusCode: 2 });
  });

  it('a unit off the network stops answering while the other unit behind the same port still answers', async () => {
    sims.begin('elev-b1-1', 'offline');
    client.setID(1);
    client.setTimeout(400); // the unit is silent: the request must time out (any bound would do)
    await expect(client.readInputRegisters(0, 1)).rejects.toThrow(/timed out/i);
    client.setTimeout(10_000);
    client.setID(2);
    expect((await client.readInputRegisters(2, 1)).data).toEqual([0]);
    sims.end('elev-b1-1', 'offline');
    client.setID(1);
    expect((await client.readInputRegisters(2, 1)).data).toHaveLength(1);
  });
});

describe('Modbus pump simulator (map pump-sim)', () => {
  it('serves status bits in holding 0 and seven float32 values in input registers 0-13', async () => {
    const c = await connect(pumpPort);
    try {
      sims.begin('pump-b2-1', 'trip');
      clock.advance(1_000);
      for (const [unit, id] of [[1, 'pump-b1-1'], [2, 'pump-b2-1']] as const) {
        c.setID(unit);
        const want = sims.fleet.model(id).report();
        const status = (await c.readHoldingRegisters(0, 1)).data[0] as number;
        expect([(status & 1) === 1, (status & 2) === 2]).toEqual([want.running, want.tripped]);
        const regs = (await c.readInputRegisters(0, 14)).data;
        const names = ['discharge_bar', 'suction_bar', 'flow_m3h', 'motor_current_a', 'vibration_mm_s', 'bearing_temp_c', 'run_hours'];
        names.forEach((name, i) => expect(f32(regs[2 * i] as number, regs[2 * i + 1] as number)).toBeCloseTo(want[name] as number, 2));
      }
      c.setID(2);
      expect((await c.readHoldingRegisters(0, 1)).data[0]).toBe(2); // tripped, not running
      sims.end('pump-b2-1', 'trip');
    } finally {
      await new Promise<void>((resolve) => c.close(() => resolve()));
    }
  });
});

describe('Modbus pump simulator commands', () => {
  it('the reset-trip coil 8 reads back as written and clears the trip; other coils refuse writes', async () => {
    const c = await connect(pumpPort);
    try {
      sims.begin('pump-b1-1', 'trip');
      clock.advance(1_000);
      c.setID(1);
      expect(((await c.readHoldingRegisters(0, 1)).data[0] as number) & 2).toBe(2);
      expect((await c.readCoils(8, 1)).data[0]).toBe(false);
      await c.writeCoil(8, true);
      expect((await c.readCoils(8, 1)).data[0]).toBe(true);
      clock.advance(1_000);
      expect(((await c.readHoldingRegisters(0, 1)).data[0] as number) & 2).toBe(0);
      await expect(c.writeCoil(3, true)).rejects.toMatchObject({ modbusCode: 2 });
      sims.end('pump-b1-1', 'trip');
    } finally {
      await new Promise<void>((resolve) => c.close(() => resolve()));
    }
  });
});

describe('demo site register maps', () => {
  // A minimal decoder of the map entries used by the demo (the connector has the real one).
  const config = parseConfigText(readFileSync(DEMO_SITE_FILE, 'utf8'), DEMO_SITE_FILE);
  type Entry = { table: string; address: number; type: string; bit?: number | undefined; scale: number; map?: Record<string, unknown> | undefined };
  async function decode(c: ModbusClient, e: Entry): Promise<unknown> {
    if (e.table === 'coil') return (await c.readCoils(e.address, 1)).data[0];
    const words = e.type === 'float32' || e.type === 'uint32' ? 2 : 1;
    const read = e.table === 'holding' ? c.readHoldingRegisters.bind(c) : c.readInputRegisters.bind(c);
    const r = (await read(e.address, words)).data as number[];
    if (e.type === 'bool') return ((r[0] as number) >> (e.bit ?? 0)) % 2 === 1;
    const raw = e.type === 'float32' ? f32(r[0] as number, r[1] as number)
      : e.type === 'uint32' ? (r[0] as number) * 65536 + (r[1] as number)
      : e.type === 'int16' ? ((r[0] as number) << 16) >> 16 : (r[0] as number);
    if (e.map) return e.map[String(raw)];
    return raw * e.scale;
  }

  it('decoding every mapped point per the config gives the values the models report', async () => {
    const maps = new Map(config.connectors.flatMap((c) => (c.type === 'modbus' ? Object.entries(c.maps) : [])));
    const ports: Record<string, number> = { 'modbus-elevators': elevatorPort, 'modbus-pumps': pumpPort };
    let checked = 0;
    for (const device of config.devices.filter((d) => d.kind === 'elevator' || d.kind === 'pump')) {
      const binding = device.binding as { connector: string; unitId: number; map: string };
      const map = maps.get(binding.map);
      expect(map, `map ${binding.map}`).toBeDefined();
      const c = await connect(ports[binding.connector] as number);
      try {
        c.setID(binding.unitId);
        const want = sims.fleet.model(device.id).report();
        for (const [point, entry] of Object.entries(map ?? {})) {
          const got = await decode(c, entry as Entry);
          if (typeof want[point] === 'number') expect(got as number, `${device.id}.${point}`).toBeCloseTo(want[point] as number, 2);
          else expect(got, `${device.id}.${point}`).toBe(want[point]);
          checked++;
        }
      } finally {
        await new Promise<void>((resolve) => c.close(() => resolve()));
      }
    }
    expect(checked).toBe(2 * 10 + 2 * 9);
  });
});
