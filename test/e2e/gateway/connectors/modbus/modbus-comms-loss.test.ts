/**
 * A fire panel on Modbus whose link never answers, or whose server dies and comes back: nothing
 * is ever invented (no zone reads `normal` unless a device said so), every point is marked
 * `comms lost` at once, the life-safety trouble is raised, and values return after a restart.
 * Real sockets on 127.0.0.1 only.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusConnector } from '../../../../../gateway/connectors/modbus/modbus-connector.ts';
import { commsTroubleKey } from '../../../../../gateway/connectors/runtime/comms-loss.ts';
import { silentLogger } from '../../../../../gateway/log/logger.ts';
import { RealClock } from '../../../../../gateway/model/clock.ts';
import { TroubleBoard } from '../../../../../gateway/trouble/trouble-board.ts';
import { CollectingSink, connectorConfig, freePort, startServerTcp, waitFor, type TestServer } from '../../../../gateway/connectors/modbus/modbus-test-kit.ts';

const ZONES = 4;
const ZONE_MAP = { 0: 'normal', 1: 'fire', 2: 'fault', 3: 'disabled' };
const FIRE_PANEL_MAP = {
  ...Object.fromEntries(Array.from({ length: ZONES }, (_, i) => [`zone_${i + 1}_state`, { table: 'holding', address: i, type: 'uint16', map: ZONE_MAP }])),
  panel_fault: { table: 'coil', address: 0, type: 'bool' },
};
const POINTS = [...Array.from({ length: ZONES }, (_, i) => `zone_${i + 1}_state`), 'panel_fault'];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function firePanel(port: number, extra: Record<string, unknown> = {}) {
  const clock = new RealClock();
  const trouble = new TroubleBoard(clock);
  const config = connectorConfig({ port, timeout: 150, retries: 0, failuresBeforeLost: 2, maps: { panel: FIRE_PANEL_MAP }, ...extra });
  const connector = new ModbusConnector(config, {
    clock,
    log: silentLogger(),
    trouble,
    devices: [
      {
        info: { id: 'fp-1', name: 'fp-1', kind: 'fire_panel', zones: ZONES, location: { site: 's', building: 'b1', floor: 'F1' }, connector: 'modbus-test' },
        binding: { connector: 'modbus-test', unitId: 1, map: 'panel', pollInterval: 100 },
      },
    ],
  });
  const sink = new CollectingSink();
  await connector.start(sink);
  cleanups.push(() => connector.stop());
  return { connector, sink, trouble };
}

/** A TCP server that accepts connections and never sends a byte. */
async function silentServer(port: number): Promise<void> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

function panelBank(zones: number[]) {
  return { coils: [false], discrete: [], input: [], holding: zones };
}

describe('Modbus comms loss of a life-safety device', () => {
  it('a fire panel on a link that accepts and never answers: no zone ever reads normal; every point comms lost; trouble raised', async () => {
    const port = await freePort();
    await silentServer(port);
    const { sink, trouble, connector } = await firePanel(port);
    await waitFor(() => trouble.list().some((t) => t.key === commsTroubleKey('fp-1')), 15_000, 'the comms-lost trouble');
    const condition = trouble.list().find((t) => t.key === commsTroubleKey('fp-1'));
    expect(condition).toMatchObject({ lifeSafety: true, source: 'connector:modbus-test' });
    expect(condition?.message).toContain('fp-1');
    // nothing was ever read: no sample carries a value
    expect(sink.samples.filter((s) => s.value !== null)).toEqual([]);
    for (const point of POINTS) {
      expect(sink.latest('fp-1', point)).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    }
    // marked once, at once: one batch with every point, all with the same time
    expect(sink.samples).toHaveLength(POINTS.length);
    expect(new Set(sink.samples.map((s) => s.ts)).size).toBe(1);
    const devices = connector.health().detail?.devices as Record<string, { state: string }>;
    expect(devices['fp-1']?.state).toBe('comms_lost');
  });

  it('killing the simulator marks every point comms lost and raises the trouble; restarting it brings values back and clears it', async () => {
    const port = await freePort();
    let sim: TestServer = await startServerTcp(port, new Map([[1, panelBank([0, 1, 0, 2])]]));
    cleanups.push(() => sim.close());
    const { sink, trouble } = await firePanel(port);
    await waitFor(() => sink.latest('fp-1', 'zone_4_state')?.value === 'fault', 10_000, 'first values');
    expect(sink.latest('fp-1', 'zone_2_state')).toMatchObject({ value: 'fire', quality: 'good' });

    await sim.close();
    await waitFor(() => trouble.list().some((t) => t.key === commsTroubleKey('fp-1')), 15_000, 'the comms-lost trouble after the kill');
    for (const point of POINTS) expect(sink.latest('fp-1', point)).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });

    sim = await startServerTcp(port, new Map([[1, panelBank([0, 0, 0, 0])]]));
    await waitFor(() => POINTS.every((p) => sink.latest('fp-1', p)?.quality === 'good'), 15_000, 'values back after the restart');
    expect(sink.latest('fp-1', 'zone_2_state')?.value).toBe('normal');
    expect(trouble.list().filter((t) => t.key === commsTroubleKey('fp-1'))).toEqual([]);
  });
});
