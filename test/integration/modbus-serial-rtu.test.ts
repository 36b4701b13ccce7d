/**
 * Modbus RTU over a serial line: a socat pseudo-terminal pair, modbus-serial's ServerSerial on one
 * end serving two unit ids, the connector (transport rtu) on the other. Includes the line going
 * away (socat killed) and coming back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import modbusSerial from 'modbus-serial';
import type { IServiceVector, ServerSerial as ServerSerialType } from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusConnector } from '../../gateway/connectors/modbus/modbus-connector.ts';
import { CollectingSink, connectorConfig, context, elevatorBank, pumpBank, waitFor, type UnitBank } from '../gateway/connectors/modbus/modbus-test-kit.ts';
import { startPtyPair, type Peer } from './modbus-peers.ts';

const ServerSerial = (modbusSerial as unknown as { ServerSerial: typeof ServerSerialType }).ServerSerial;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(path: string, banks: Map<number, UnitBank>): Promise<Peer> {
  const get = <T>(table: keyof UnitBank, fallback: T) => (addr: number, unit: number): T | Promise<T> => {
    const bank = banks.get(unit);
    if (!bank) return new Promise<T>(() => undefined);
    return ((bank[table] as unknown[])[addr] as T | undefined) ?? fallback;
  };
  const vector: IServiceVector = {
    getCoil: get<boolean>('coils', false),
    getDiscreteInput: get<boolean>('discrete', false),
    getInputRegister: get<number>('input', 0),
    getHoldingRegister: get<number>('holding', 0),
  };
  const server = await new Promise<ServerSerialType>((resolve, reject) => {
    const s: ServerSerialType = new ServerSerial(vector, {
      path,
      baudRate: 38400,
      unitID: 255,
      openCallback: (err: Error | null) => (err ? reject(err) : resolve(s)),
    });
    s.on('error', () => undefined);
  });
  return { stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Modbus RTU over a serial line (socat pty pair)', () => {
  it('polls two unit ids on one line and recovers when the line goes away and returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modbus-rtu-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const a = join(dir, 'gateway-side');
    const b = join(dir, 'device-side');
    let pty = await startPtyPair(a, b);
    cleanups.push(() => pty.stop());
    const banks = new Map([[1, elevatorBank()], [2, pumpBank()]]);
    let device = await serve(b, banks);
    cleanups.push(() => device.stop());

    const ctx = context([
      { id: 'elev-1', kind: 'elevator', unitId: 1, map: 'elevator-sim', pollInterval: 100 },
      { id: 'pump-1', kind: 'pump', unitId: 2, map: 'pump-sim', pollInterval: 100 },
    ]);
    const connector = new ModbusConnector(
      connectorConfig({ transport: 'rtu', path: a, baudRate: 38400, timeout: 300, retries: 0, reconnectMin: 100, reconnectMax: 500, rtuQuietAfterTimeout: 50 }),
      ctx,
    );
    const sink = new CollectingSink();
    await connector.start(sink);
    cleanups.push(() => connector.stop());

    await waitFor(() => sink.latest('elev-1', 'run_hours') !== undefined && sink.latest('pump-1', 'run_hours') !== undefined, 5000, 'first samples over RTU');
    const v = (d: string, p: string) => sink.latest(d, p)?.value;
    expect([v('elev-1', 'floor'), v('elev-1', 'direction'), v('elev-1', 'load_pct'), v('elev-1', 'trip_count'), v('elev-1', 'run_hours'), v('elev-1', 'in_service')]).toEqual([
      -2, 'down', 52.3, 70000, 1234.5, true,
    ]);
    expect([v('pump-1', 'running'), v('pump-1', 'tripped'), v('pump-1', 'discharge_bar'), v('pump-1', 'run_hours')]).toEqual([true, false, 6.5, 9876.5]);

    // the line disappears (USB adapter unplugged): points go bad once
    await device.stop();
    await pty.stop();
    await waitFor(() => sink.latest('elev-1', 'floor')?.quality === 'bad' && sink.latest('pump-1', 'running')?.quality === 'bad', 5000, 'points bad after the line went away');
    expect(connector.health().connected).toBe(false);

    // ...and comes back under the same name with a changed value
    const bank = elevatorBank();
    bank.input[0] = 4;
    banks.set(1, bank);
    pty = await startPtyPair(a, b);
    device = await serve(b, banks);
    await waitFor(() => sink.latest('elev-1', 'floor')?.value === 4 && sink.latest('pump-1', 'running')?.quality === 'good', 10_000, 'polling resumed on the returned line');
    expect(connector.health().connected).toBe(true);
  });
});
