/**
 * Modbus comms loss and recovery with the connector's default timing (timeout 1 s, 2 retries,
 * 3 failed polls, reconnect backoff 500 ms doubling to 3 s, poll every 1 s): a fire panel behind a
 * local modbus-serial ServerTCP that is killed, stays down, and comes back on the same port.
 * Prints, per round, the time from the kill to the `comms-lost:<device>` trouble (GB 25506 budget:
 * 100 s) and from the restart to good values again (target: within 5 s).
 *
 *   npm run bench:modbus-recovery                       # 3 rounds, 13 s down
 *   npm run bench:modbus-recovery -- --rounds 5 --down 30
 */
import { parseArgs } from 'node:util';
import modbusSerial from 'modbus-serial';
import type { ServerTCP as ServerTCPType } from 'modbus-serial';
import { ModbusConnector } from '../gateway/connectors/modbus/modbus-connector.ts';
import { modbusConnectorSchema } from '../gateway/connectors/modbus/modbus-schema.ts';
import { commsTroubleKey } from '../gateway/connectors/runtime/comms-loss.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import type { Sample } from '../gateway/model/sample.ts';
import { freePort } from '../test/support/free-port.ts';
import { TroubleBoard } from '../gateway/trouble/trouble-board.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, down: { type: 'string', default: '13' } } });
const rounds = Number(args.rounds);
const downMs = Number(args.down) * 1000;
const ServerTCP = (modbusSerial as unknown as { ServerTCP: typeof ServerTCPType }).ServerTCP;

interface Running {
  close(): Promise<void>;
}

async function serve(port: number): Promise<Running> {
  const server = new ServerTCP(
    { getHoldingRegister: (addr: number) => (addr === 1 ? 1 : 0), getCoil: () => false, getInputRegister: () => 0, getDiscreteInput: () => false },
    { host: '127.0.0.1', port, unitID: 1 },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('serverError', reject);
  });
  server.on('socketError', () => undefined);
  const sockets = (server as unknown as { socks: Map<{ destroy(): void }, unknown> }).socks;
  return {
    close: async () => {
      for (const s of sockets.keys()) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const until = async (cond: () => boolean, limitMs: number): Promise<number | null> => {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > limitMs) return null;
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - start;
};

const port = await freePort();
let server = await serve(port);
const clock = new RealClock();
const trouble = new TroubleBoard(clock);
const map = {
  zone_1_state: { table: 'holding', address: 0, type: 'uint16', map: { 0: 'normal', 1: 'fire', 2: 'fault', 3: 'disabled' } },
  zone_2_state: { table: 'holding', address: 1, type: 'uint16', map: { 0: 'normal', 1: 'fire', 2: 'fault', 3: 'disabled' } },
  panel_fault: { table: 'coil', address: 0, type: 'bool' },
};
const connector = new ModbusConnector(modbusConnectorSchema.parse({ id: 'bench', type: 'modbus', port, maps: { panel: map } }), {
  clock,
  log: silentLogger(),
  trouble,
  devices: [
    {
      info: { id: 'fp-1', name: 'fp-1', kind: 'fire_panel', zones: 2, location: { site: 's', building: 'b', floor: 'f' }, connector: 'bench' },
      binding: { connector: 'bench', unitId: 1, map: 'panel', pollInterval: 1_000 },
    },
  ],
});
let last: Sample | undefined;
await connector.start({ push: (batch) => (last = batch.filter((s) => s.point === 'zone_2_state').at(-1) ?? last) });
const good = (): boolean => last?.quality === 'good' && last.value === 'fire';
const raised = (): boolean => trouble.list().some((t) => t.key === commsTroubleKey('fp-1'));
if ((await until(good, 10_000)) === null) throw new Error('no first values');
const rows: string[] = [];
for (let r = 1; r <= rounds; r++) {
  await server.close();
  const lost = await until(() => raised() && last?.reason === 'comms lost', 120_000);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, downMs - (lost ?? 0))));
  server = await serve(port);
  const back = await until(good, 60_000);
  rows.push(`round ${r}: comms lost + trouble ${lost === null ? 'never' : `${(lost / 1000).toFixed(1)} s`} after the kill; values back ${back === null ? 'never' : `${(back / 1000).toFixed(1)} s`} after the restart`);
  process.stdout.write(`${rows.at(-1)}\n`);
}
await connector.stop();
await server.close();
