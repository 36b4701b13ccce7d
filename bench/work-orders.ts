/**
 * npm run bench:work-orders — what work orders cost the alarm pipeline, and how fast the outbox drains.
 *  1. onAlarm → new order (order + journal + outbox rows, one synchronous=FULL commit): p50/p99/max.
 *  2. onAlarm → recurrence on the open order: p50/p99/max.
 *  3. Outbox: webhook deliveries/s to a local HTTP receiver (signed, concurrency from config).
 * Options: --orders N (default 2000) --dir DIR (default a fresh temp dir; use the real data disk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { RealClock } from '../gateway/model/clock.ts';
import type { DeviceInfo } from '../gateway/model/device.ts';
import { WorkOrderService } from '../rules/work-orders/work-order-service.ts';
import { workOrderConfigSchema } from '../rules/work-orders/work-order-schema.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '2000' }, dir: { type: 'string' } } });
const N = Number(values.orders);
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'bench-wo-'));

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end());
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

const config = workOrderConfigSchema.parse({
  enabled: true,
  maintenance: [],
  contractors: [{ id: 'c', name: 'C', trades: ['pumps'], channels: { webhook: { url, secret: 'bench-secret-0123456789' } } }],
});
const devices: DeviceInfo[] = Array.from({ length: N }, (_, i) => ({ id: `pump-${i}`, name: `Pump ${i}`, kind: 'pump', location: { site: 's', building: 'b1', floor: 'B1' }, connector: 'x' }));
const service = new WorkOrderService({ config, file: join(dir, 'gateway.db'), clock: new RealClock(), log: pino({ level: 'silent' }), site: { id: 's', timezone: 'UTC' }, devices: () => devices });
service.start();

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};
const fmt = (xs: number[]): string => `p50 ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;

const signal = (i: number, n: number) => ({
  type: 'raised' as const,
  alarmId: `a-${i}-${n}`,
  ruleId: 'pump-trip',
  device: `pump-${i}`,
  kind: 'pump' as const,
  location: { site: 's', building: 'b1', floor: 'B1' },
  priority: 2 as const,
  message: 'Pump tripped',
  at: Date.now(),
  workOrder: { trade: 'pumps' },
});

const started = performance.now();
const create: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  service.onAlarm(signal(i, 0));
  create.push(performance.now() - t);
}
const append: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  service.onAlarm(signal(i, 1));
  append.push(performance.now() - t);
}
await service.idle();
while ((service.stats().outbox.pending ?? 0) > 0) await new Promise((r) => setTimeout(r, 10));
const drained = (performance.now() - started) / 1000;
const stats = service.stats();
const delivered = stats.outbox.delivered ?? 0;

process.stdout.write(
  [
    `command: npm run bench:work-orders -- --orders ${N}${values.dir ? ` --dir ${values.dir}` : ''}`,
    `date: ${new Date().toISOString()}  node ${process.version}  cpus: ${cpus().length}  data dir: ${dir}`,
    `onAlarm → new work order (commit, synchronous=FULL): ${fmt(create)}`,
    `onAlarm → recurrence appended:                       ${fmt(append)}`,
    `outbox: ${delivered} signed webhook deliveries in ${drained.toFixed(2)} s from the first alarm (${(delivered / drained).toFixed(0)}/s, concurrency ${config.dispatch.concurrency})`,
    '',
  ].join('\n'),
);
await service.stop();
server.close();
if (!values.dir) rmSync(dir, { recursive: true, force: true });
