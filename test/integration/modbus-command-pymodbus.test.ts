/**
 * Commands against an independent Modbus server (python3-pymodbus): the whole gateway on a site
 * whose pump is unit 2 of the pymodbus peer, called through its API as the console does.
 * - an operator resets the tripped pump: the coil is written on the peer (read by a separate
 *   client), the gateway confirms it by read-back and journals user, reason and result;
 * - a contractor is refused and writes nothing;
 * - a holding-register command (FC6) is confirmed the same way; one the peer refuses (exception 2:
 *   an address it does not have) is `failed`, never confirmed.
 */
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { afterEach, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../support/test-password.ts';
import { validateConfig } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { PUMP_SIM } from '../gateway/connectors/modbus/modbus-test-kit.ts';
import { freePort } from '../support/free-port.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { startPymodbus, type Peer } from './modbus-peers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function readCoil(port: number, unit: number, address: number): Promise<boolean> {
  const client = new (modbusSerial as unknown as new () => ModbusRTU)();
  await client.connectTCP('127.0.0.1', { port });
  try {
    client.setID(unit);
    client.setTimeout(5_000);
    const r = await client.readCoils(address, 1);
    return r.data[0] === true;
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}

describe('commands against pymodbus', () => {
  it('an operator resets a tripped pump (coil written, confirmed by read-back, journaled); a contractor cannot', async () => {
    const port = await freePort();
    const peer: Peer = await startPymodbus(port, 'socket');
    cleanups.push(() => peer.stop());
    const dir = tempDir('fgw-command-');
    cleanups.push(() => dir.cleanup());
    const passwordHash = await testPasswordHash('s3cret-pw');
    const config = validateConfig({
      site: { id: 'test', name: 'Test site' },
      buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
      broker: { enabled: false },
      api: { port: 0 },
      storage: { dataDir: dir.path },
      accounts: {
        users: [
          { username: 'op', role: 'operator', passwordHash },
          { username: 'pumpco', role: 'contractor', contractor: 'pump-co', passwordHash },
        ],
      },
      commands: { roles: ['operator'], confirmTimeout: '10s' },
      connectors: [{ id: 'plc', type: 'modbus', port, timeout: '2s', maps: { 'pump-sim': PUMP_SIM } }],
      devices: [
        {
          id: 'pump-1',
          kind: 'pump',
          building: 'b1',
          floor: 'F1',
          binding: { connector: 'plc', unitId: 2, pollInterval: '500ms', map: 'pump-sim', commands: { reset_trip: { table: 'coil', address: 8, value: true } } },
        },
        {
          id: 'pump-2',
          kind: 'pump',
          building: 'b1',
          floor: 'F1',
          binding: { connector: 'plc', unitId: 2, pollInterval: '500ms', map: 'pump-sim', commands: { reset_trip: { table: 'holding', address: 5, value: 4660, type: 'uint16' } } },
        },
        {
          id: 'pump-3',
          kind: 'pump',
          building: 'b1',
          floor: 'F1',
          binding: { connector: 'plc', unitId: 2, pollInterval: '500ms', map: 'pump-sim', commands: { reset_trip: { table: 'coil', address: 900, value: true } } },
        },
      ],
    });
    const gateway: RunningGateway = await startGateway(config, silentLogger(), { listen: false, storage: 'inline' });
    cleanups.push(() => gateway.stop());
    const app = gateway.app;
    await waitFor(() => gateway.live.state('pump-1')?.points.tripped?.value === true, 30_000, 'the pump read as tripped');
    const as = async (username: string): Promise<Record<string, string>> => {
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 's3cret-pw' } });
      expect(login.statusCode).toBe(200);
      return { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
    };
    expect(await readCoil(port, 2, 8)).toBe(false);

    const refused = await app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/reset_trip', cookies: await as('pumpco'), payload: { reason: 'please reset' } });
    expect(refused.statusCode).toBe(403);
    expect(await readCoil(port, 2, 8)).toBe(false);

    const op = await as('op');
    const sent = await app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/reset_trip', cookies: op, payload: { reason: 'tripped after a power dip' } });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ device: 'pump-1', command: 'reset_trip', username: 'op', role: 'operator', reason: 'tripped after a power dip', result: 'confirmed' });
    expect(sent.json().detail).toMatch(/^coil 8 := true \(unit 2, FC5\); read back true$/);
    expect(await readCoil(port, 2, 8)).toBe(true);

    const register = await app.inject({ method: 'POST', url: '/api/devices/pump-2/commands/reset_trip', cookies: op, payload: { reason: 'register reset' } });
    expect(register.json()).toMatchObject({ result: 'confirmed', detail: 'holding 5 := 4660 uint16 (unit 2, FC6); read back 4660' });

    const bad = await app.inject({ method: 'POST', url: '/api/devices/pump-3/commands/reset_trip', cookies: op, payload: { reason: 'out of range' } });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ result: 'failed' });
    expect(bad.json().detail).toMatch(/^coil 900 := true \(unit 2, FC5\): /);

    const journal = await app.inject({ method: 'GET', url: '/api/commands/journal', cookies: op });
    expect(journal.json().entries.map((e: { device: string; result: string; username: string }) => [e.device, e.result, e.username])).toEqual([
      ['pump-3', 'failed', 'op'],
      ['pump-2', 'confirmed', 'op'],
      ['pump-1', 'confirmed', 'op'],
    ]);
  });
});
