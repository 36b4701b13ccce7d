/**
 * MQTT throughput: the highest sustained samples/s from the embedded broker (aedes) through the
 * MQTT connector (route pattern with {device}, JSON decode, mapping) onto the sample bus with no
 * loss. A publisher worker thread (its own core) sends 5-point smoke-detector payloads at stepped
 * rates; a step passes when every sample published arrives on the bus (nothing dropped) and the
 * rate is kept. Bounded: each step lasts STEP_S seconds; the run stops at the first failing step.
 *
 *   npm run bench:mqtt                      (defaults)
 *   QOS=0 STEP_S=5 npm run bench:mqtt       (QoS 0 publishers and subscription)
 */
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { brokerSchema } from '../gateway/broker/broker-schema.ts';
import { startEmbeddedBroker } from '../gateway/broker/embedded-broker.ts';
import { SampleBus } from '../gateway/bus/sample-bus.ts';
import { mqttConnectorSchema } from '../gateway/connectors/mqtt/mqtt-schema.ts';
import { MqttConnector } from '../gateway/connectors/mqtt/mqtt-connector.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import { TroubleBoard } from '../gateway/trouble/trouble-board.ts';

const POINTS_PER_MESSAGE = 5;
const DEVICES = Number(process.env.DEVICES ?? 1000);
const STEP_S = Number(process.env.STEP_S ?? 4);
const QOS = (Number(process.env.QOS ?? 1) === 0 ? 0 : 1) as 0 | 1;
const STEPS = (process.env.STEPS ?? '20000,50000,80000,100000,120000,150000,180000,210000,250000').split(',').map(Number);

const log = silentLogger();
const clock = new RealClock();
const broker = await startEmbeddedBroker(brokerSchema.parse({ enabled: true, port: 0 }), log);
const bus = new SampleBus({ capacity: 2_000_000, log });
let received = 0;
bus.subscribe('bench', (batch) => {
  received += batch.length;
});
const config = mqttConnectorSchema.parse({
  id: 'bench',
  type: 'mqtt',
  url: broker.url,
  qos: QOS,
  clean: true,
  routes: [{ pattern: 'bench/{building}/smoke/{device}/state' }],
});
const devices = Array.from({ length: DEVICES }, (_, i) => ({
  info: { id: `sd-${i}`, name: `sd-${i}`, kind: 'smoke_detector' as const, location: { site: 'bench', building: i % 2 === 0 ? 'b1' : 'b2', floor: 'F1' }, connector: 'bench' },
  binding: { connector: 'bench' },
}));
const connector = new MqttConnector(config, { clock, log, devices, trouble: new TroubleBoard(clock) });
await connector.start(bus);

const worker = new Worker(new URL('./mqtt-bench-publisher.ts', import.meta.url), { workerData: { url: broker.url, devices: DEVICES, qos: QOS, clients: 4 } });
await new Promise<void>((resolve) => worker.once('message', () => resolve()));

interface StepResult {
  readonly target: number;
  readonly achieved: number;
  readonly lost: number;
  readonly cpuPct: number;
  readonly processCpuPct: number;
  readonly rssMb: number;
  readonly pass: boolean;
}

async function step(samplesPerSecond: number): Promise<StepResult> {
  const before = received;
  const cpu0 = process.threadCpuUsage();
  const proc0 = process.cpuUsage();
  const t0 = performance.now();
  const sent = await new Promise<number>((resolve) => {
    worker.once('message', (m: { sent: number }) => resolve(m.sent));
    worker.postMessage({ messagesPerSecond: samplesPerSecond / POINTS_PER_MESSAGE, seconds: STEP_S });
  });
  const expected = sent * POINTS_PER_MESSAGE;
  const deadline = performance.now() + 3_000;
  while (received - before < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await bus.drain();
  const elapsed = (performance.now() - t0) / 1000;
  const got = received - before;
  const cpu = process.threadCpuUsage(cpu0);
  const proc = process.cpuUsage(proc0);
  const achieved = got / elapsed;
  const dropped = bus.stats().reduce((a, s) => a + s.dropped, 0);
  return {
    target: samplesPerSecond,
    achieved: Math.round(achieved),
    lost: expected - got + dropped,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (elapsed * 1000)) * 100),
    processCpuPct: Math.round(((proc.user + proc.system) / 1000 / (elapsed * 1000)) * 100),
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
    pass: got === expected && dropped === 0 && achieved >= samplesPerSecond * 0.9,
  };
}

const results: StepResult[] = [];
for (const target of STEPS) {
  const r = await step(target);
  results.push(r);
  process.stdout.write(`  target ${String(r.target).padStart(7)} samples/s  achieved ${String(r.achieved).padStart(7)}  lost ${r.lost}  gateway thread CPU ${r.cpuPct}% (process incl. publisher ${r.processCpuPct}%)  RSS ${r.rssMb} MB (incl. publisher)  ${r.pass ? 'ok' : 'FAIL'}\n`);
  if (!r.pass) break;
}
const best = results.filter((r) => r.pass).at(-1);
process.stdout.write(
  [
    '',
    `mqtt bench (${new Date().toISOString()}, ${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version})`,
    `command: QOS=${QOS} STEP_S=${STEP_S} DEVICES=${DEVICES} npm run bench:mqtt`,
    `path: mqtt.js publisher worker (4 clients, QoS ${QOS}) -> embedded aedes broker -> MqttConnector (route pattern, JSON, 5 points/msg) -> SampleBus`,
    `highest sustained rate with no loss: ${best ? `${best.achieved} samples/s (${Math.round(best.achieved / POINTS_PER_MESSAGE)} msgs/s) at step ${best.target}` : 'none of the steps passed'}`,
    `connector health: ${JSON.stringify({ samples: connector.health().samples, errors: connector.health().errors })}`,
    '',
  ].join('\n'),
);
worker.postMessage('stop');
await connector.stop();
await broker.close();
await worker.terminate();
process.exit(0);
