/**
 * Modbus connector benchmark: N devices (unit ids) x 20 registers each at a 1 s poll, all behind
 * one Modbus TCP connection to a local modbus-serial ServerTCP running in a child process (so the
 * figures are the gateway side only). Prints achieved polls/s, poll-cycle p50/p99, CPU % and RSS.
 *
 *   npm run bench:modbus                      # 200 devices, 20 s
 *   npm run bench:modbus -- --devices 200 --seconds 20 --connections 1
 */
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import modbusSerial from 'modbus-serial';
import type { ServerTCP as ServerTCPType } from 'modbus-serial';
import { ModbusConnector } from '../gateway/connectors/modbus/modbus-connector.ts';
import { modbusConnectorSchema } from '../gateway/connectors/modbus/modbus-schema.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import type { Sample, SampleSink } from '../gateway/model/sample.ts';
import { TroubleBoard } from '../gateway/trouble/trouble-board.ts';
import { freePort } from '../test/support/free-port.ts';

/** 9 pump points over 20 registers: status word + bit word (holding 0-1), 5 float32 + 2 float64 (input 0-17). */
const BENCH_MAP = {
  running: { table: 'holding', address: 0, type: 'bool', bit: 0 },
  tripped: { table: 'holding', address: 1, type: 'bool', bit: 0 },
  discharge_bar: { table: 'input', address: 0, type: 'float32' },
  suction_bar: { table: 'input', address: 2, type: 'float32' },
  flow_m3h: { table: 'input', address: 4, type: 'float32', wordOrder: 'little' },
  motor_current_a: { table: 'input', address: 6, type: 'float32' },
  vibration_mm_s: { table: 'input', address: 8, type: 'float32' },
  bearing_temp_c: { table: 'input', address: 10, type: 'float64' },
  run_hours: { table: 'input', address: 14, type: 'float64' },
} as const;
const REGISTERS_PER_DEVICE = 20;

async function serve(port: number): Promise<void> {
  const ServerTCP = (modbusSerial as unknown as { ServerTCP: typeof ServerTCPType }).ServerTCP;
  const words = (addr: number, unit: number): number => (unit * 31 + addr * 7) & 0xffff;
  const server = new ServerTCP(
    {
      getInputRegister: (addr: number, unit: number) => words(addr, unit),
      getHoldingRegister: (addr: number, unit: number) => words(addr, unit) & 3,
      getMultipleInputRegisters: (addr: number, length: number, unit: number) => Array.from({ length }, (_, i) => words(addr + i, unit)),
      getMultipleHoldingRegisters: (addr: number, length: number, unit: number) => Array.from({ length }, (_, i) => words(addr + i, unit) & 3),
    },
    { host: '127.0.0.1', port, unitID: 255 },
  );
  server.on('socketError', () => undefined);
  await new Promise<void>((resolve) => server.once('initialized', () => resolve()));
  process.send?.('ready');
}


function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      devices: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
      connections: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '3' },
    },
  });
  if (values.serve) return serve(Number(values.serve));

  const devices = Number(values.devices);
  const seconds = Number(values.seconds);
  const connections = Math.max(1, Number(values.connections));
  const warmup = Number(values.warmup);
  const ports = await Promise.all(Array.from({ length: connections }, () => freePort()));
  const servers = ports.map((port) => fork(fileURLToPath(import.meta.url), ['--serve', String(port)], { stdio: 'inherit' }));
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.once('message', () => resolve()))));

  const clock = new RealClock();
  const polls = { count: 0, counting: false };
  const sink: SampleSink = {
    push(batch: readonly Sample[]) {
      if (polls.counting) polls.count++;
      void batch;
    },
  };
  const cycleTimes: number[] = [];
  const connectors: ModbusConnector[] = [];
  const perConnection = Math.ceil(devices / connections);
  for (let c = 0; c < connections; c++) {
    const ids = Array.from({ length: Math.min(perConnection, devices - c * perConnection) }, (_, i) => c * perConnection + i);
    const config = modbusConnectorSchema.parse({
      id: `bench-${c}`,
      type: 'modbus',
      port: ports[c],
      timeout: 1000,
      maps: { bench: BENCH_MAP },
    });
    const connector = new ModbusConnector(config, {
      clock,
      log: silentLogger(),
      trouble: new TroubleBoard(clock),
      devices: ids.map((i) => ({
        info: { id: `pump-${i}`, name: `pump ${i}`, kind: 'pump', location: { site: 'bench', building: 'b', floor: 'f' }, connector: config.id },
        binding: { connector: config.id, unitId: (i % 247) + 1, pollInterval: 1000, map: 'bench' },
      })),
    });
    connectors.push(connector);
  }
  for (const c of connectors) await c.start(sink);
  await new Promise((r) => setTimeout(r, warmup * 1000));

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const req0 = connectors.reduce((s, c) => s + c.health().requests, 0);
  polls.count = 0;
  polls.counting = true;
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  polls.counting = false;
  clearInterval(rssTimer);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const requests = connectors.reduce((s, c) => s + c.health().requests, 0) - req0;
  for (const c of connectors) cycleTimes.push(...c.cycleTimes());
  const health = connectors.map((c) => c.health());
  for (const c of connectors) await c.stop();
  for (const s of servers) s.kill();

  const sorted = [...cycleTimes].sort((a, b) => a - b);
  const errors = health.reduce<Record<string, number>>((acc, h) => {
    for (const [k, v] of Object.entries(h.errors)) acc[k] = (acc[k] ?? 0) + v;
    return acc;
  }, {});
  const cpuPct = ((cpu.user + cpu.system) / 1000 / (elapsed * 1000)) * 100;
  const lines = [
    `modbus bench — ${new Date().toISOString()} — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`,
    `command: npm run bench:modbus -- --devices ${devices} --seconds ${seconds} --connections ${connections}`,
    `devices ${devices} x ${REGISTERS_PER_DEVICE} registers (9 points, 2 requests per poll), poll 1 s, ${connections} TCP connection(s) to modbus-serial ServerTCP in a child process`,
    `achieved polls/s:      ${(polls.count / elapsed).toFixed(1)}  (target ${devices})`,
    `requests/s:            ${(requests / elapsed).toFixed(1)}`,
    `registers/s:           ${((polls.count * REGISTERS_PER_DEVICE) / elapsed).toFixed(0)}`,
    `poll cycle p50 / p99:  ${percentile(sorted, 0.5).toFixed(2)} ms / ${percentile(sorted, 0.99).toFixed(2)} ms  (last ${sorted.length} cycles)`,
    `gateway CPU:           ${cpuPct.toFixed(1)} % of one core`,
    `gateway RSS (max):     ${(rssMax / 1024 / 1024).toFixed(1)} MB`,
    `errors:                ${JSON.stringify(errors)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
