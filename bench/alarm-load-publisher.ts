/**
 * Worker thread of bench/alarm-under-load.ts: publishes QoS 1 pump telemetry at the asked rate,
 * paced in 10 ms slices over several clients, and reports how many were sent and acknowledged.
 * Each message carries a unique source timestamp-free value; the gateway stamps arrival time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

export interface PublishJob {
  readonly rate: number;
  readonly seconds: number;
  /** Topic prefix; message i goes to `${prefix}${i % devices}`. */
  readonly prefix: string;
}

export interface PublishResult {
  readonly sent: number;
  readonly acked: number;
  /** ms from the first publish to the last PUBACK. */
  readonly ms: number;
  /** CPU seconds this publishing thread used for the job (its share of the whole path's CPU). */
  readonly cpuS: number;
}

const { url, devices, clients: clientCount } = workerData as { url: string; devices: number; clients: number };
const port = parentPort;
if (!port) throw new Error('alarm-load-publisher runs as a worker');
const clients = await Promise.all(
  Array.from({ length: clientCount }, (_, i) => mqtt.connectAsync(url, { clientId: `load-${process.pid}-${i}-${Math.random()}`, clean: true, reconnectPeriod: 0 })),
);

async function run(job: PublishJob): Promise<PublishResult> {
  const sliceMs = 10;
  const perSlice = job.rate / (1000 / sliceMs);
  const total = Math.round(job.rate * job.seconds);
  const start = performance.now();
  const cpu0 = process.threadCpuUsage();
  let sent = 0;
  let acked = 0;
  let lastAck = start;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / sliceMs + 1) * perSlice));
    while (sent < due) {
      const client = clients[sent % clients.length] as mqtt.MqttClient;
      client.publish(`${job.prefix}${sent % devices}`, `{"discharge_bar":${(sent % 1000) / 100}}`, { qos: 1 }, (err) => {
        if (err) return;
        acked++;
        lastAck = performance.now();
      });
      sent++;
    }
    await new Promise((r) => setTimeout(r, sliceMs));
  }
  const deadline = performance.now() + 60_000;
  while (acked < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const cpu = process.threadCpuUsage(cpu0);
  return { sent, acked, ms: lastAck - start, cpuS: (cpu.user + cpu.system) / 1e6 };
}

port.on('message', (job: PublishJob | 'close') => {
  if (job === 'close') {
    void Promise.all(clients.map((c) => c.endAsync())).then(() => port.close());
    return;
  }
  void run(job).then((r) => port.postMessage(r));
});
port.postMessage('ready');
