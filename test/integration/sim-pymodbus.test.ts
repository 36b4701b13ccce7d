/**
 * The Modbus simulators read by an independent client: pymodbus (Debian's python3-pymodbus 3.0).
 * Debian installs it without pyserial / pyserial-asyncio (only recommended); the TCP client does not
 * need them, so the script stubs those two modules before importing pymodbus.client.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { demoSite, freePort } from '../simulators/sim-test-helpers.ts';
import { runTracked } from '../support/child-processes.ts';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const SCRIPT = `
import json, sys, types
class Stub(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'): raise AttributeError(name)
        return type(name, (), {})
for name in ('serial', 'serial_asyncio'):
    if name not in sys.modules:
        try: __import__(name)
        except ImportError: sys.modules[name] = Stub(name)
from pymodbus.client import ModbusTcpClient
port, unit = int(sys.argv[1]), int(sys.argv[2])
client = ModbusTcpClient('127.0.0.1', port=port, timeout=2)
if not client.connect(): sys.exit('cannot connect')
regs = client.read_input_registers(0, 8, slave=unit)
coils = client.read_coils(0, 4, slave=unit)
client.close()
if regs.isError() or coils.isError(): sys.exit('modbus error: %s %s' % (regs, coils))
print(json.dumps({'registers': regs.registers, 'coils': coils.bits[:4]}))
`;

const site = demoSite();
const clock = new VirtualClock(Date.UTC(2026, 2, 2, 1, 0));
let sims: RunningSimulators;
let port = 0;

beforeAll(async () => {
  port = await freePort();
  const elevators = { ...site, devices: site.devices.filter((d) => d.kind === 'elevator') };
  sims = await startSimulators(elevators, { clock, seed: 3, ports: { 'modbus-elevators': port } });
  clock.advance(5 * 60_000);
});

afterAll(async () => {
  await sims?.stop();
});

async function pymodbusRead(unit: number): Promise<{ registers: number[]; coils: boolean[] }> {
  const { code, stdout, stderr } = await runTracked(PYTHON, ['-c', SCRIPT, String(port), String(unit)], { timeoutMs: 60_000 });
  if (code !== 0) throw new Error(`pymodbus client exited with ${code}: ${stderr}`);
  return JSON.parse(stdout) as { registers: number[]; coils: boolean[] };
}

describe('Modbus elevator simulator read by pymodbus', () => {
  it('reads the fault code, trip counter and coils of an entrapped car on unit 2', async () => {
    sims.begin('elev-b2-1', 'entrapment');
    clock.advance(30_000);
    const want = sims.fleet.model('elev-b2-1').report();
    const { registers, coils } = await pymodbusRead(2);
    expect(registers[2]).toBe(41);
    expect((registers[4] as number) * 65536 + (registers[5] as number)).toBe(want.trip_count);
    expect(coils).toEqual([false, false, false, true]); // out of service, stopped, doors shut, alarm pressed
  });

  it('unit 1 behind the same port answers with its own values', async () => {
    const want = sims.fleet.model('elev-b1-1').report();
    const { registers } = await pymodbusRead(1);
    expect(registers[2]).toBe(0);
    expect((registers[4] as number) * 65536 + (registers[5] as number)).toBe(want.trip_count);
  });
});
