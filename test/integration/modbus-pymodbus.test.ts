/**
 * The Modbus connector against an independent implementation: the python3-pymodbus server, over
 * Modbus TCP and over RTU framing on TCP; including the server going away and coming back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusConnector } from '../../gateway/connectors/modbus/modbus-connector.ts';
import { CollectingSink, connectorConfig, context, freePort, waitFor } from '../gateway/connectors/modbus/modbus-test-kit.ts';
import { startPymodbus, type Peer } from './modbus-peers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each([
  ['socket', 'tcp'],
  ['rtu', 'rtu-over-tcp'],
] as const)('pymodbus server, %s framing', (framer, transport) => {
  it('reads both unit ids correctly, loses a missing unit, and rides out a server restart', async () => {
    const port = await freePort();
    let peer: Peer = await startPymodbus(port, framer);
    cleanups.push(() => peer.stop());
    const ctx = context([
      { id: 'elev-1', kind: 'elevator', unitId: 1, map: 'elevator-sim', pollInterval: 100 },
      { id: 'pump-1', kind: 'pump', unitId: 2, map: 'pump-sim', pollInterval: 100 },
      { id: 'ghost', kind: 'pump', unitId: 9, map: 'pump-sim', pollInterval: 100 },
    ]);
    const connector = new ModbusConnector(connectorConfig({ port, transport, timeout: 200, retries: 0, reconnectMin: 100, reconnectMax: 500 }), ctx);
    const sink = new CollectingSink();
    await connector.start(sink);
    cleanups.push(() => connector.stop());

    await waitFor(() => sink.latest('elev-1', 'run_hours') !== undefined && sink.latest('pump-1', 'run_hours') !== undefined, 5000, 'first samples');
    const v = (d: string, p: string) => sink.latest(d, p)?.value;
    expect([v('elev-1', 'in_service'), v('elev-1', 'moving'), v('elev-1', 'door_open'), v('elev-1', 'alarm_button')]).toEqual([true, false, true, false]);
    expect([v('elev-1', 'floor'), v('elev-1', 'direction'), v('elev-1', 'fault_code'), v('elev-1', 'load_pct'), v('elev-1', 'trip_count'), v('elev-1', 'run_hours')]).toEqual([
      -3, 'up', 5, 87.5, 0x00020003, 321.25,
    ]);
    expect([v('pump-1', 'running'), v('pump-1', 'tripped'), v('pump-1', 'discharge_bar'), v('pump-1', 'suction_bar'), v('pump-1', 'bearing_temp_c'), v('pump-1', 'run_hours')]).toEqual([
      false, true, 4.5, 0.75, 48, 100.5,
    ]);

    await waitFor(() => sink.count((s) => s.device === 'ghost') > 0, 5000, 'unit 9 marked comms-lost');
    expect(sink.samples.filter((s) => s.device === 'ghost').every((s) => s.quality === 'bad')).toBe(true);

    await peer.stop();
    await waitFor(() => sink.latest('elev-1', 'floor')?.quality === 'bad', 5000, 'points bad while the server is down');
    peer = await startPymodbus(port, framer);
    await waitFor(() => sink.latest('elev-1', 'floor')?.quality === 'good' && sink.latest('pump-1', 'flow_m3h')?.quality === 'good', 10_000, 'polling resumed');
    expect(v('pump-1', 'flow_m3h')).toBe(12.5);
    const h = connector.health();
    expect(h.connected).toBe(true);
    expect((h.detail?.devices as Record<string, { state: string }>)['elev-1']?.state).toBe('polling');
    expect((h.detail?.devices as Record<string, { state: string }>).ghost?.state).toBe('comms_lost');
  });
});
