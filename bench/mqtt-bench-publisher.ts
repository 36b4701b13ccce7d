/**
 * Worker thread of bench/mqtt-bench.ts: publishes smoke-detector payloads (5 points each) at the
 * rate the main thread asks for, paced in 10 ms slices, and reports how many it sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

interface Job {
  readonly messagesPerSecond: number;
  readonly seconds: number;
}

const { url, devices, qos, clients: clientCount } = workerData as { url: string; devices: number; qos: 0 | 1; clients: number };
const port = parentPort;
if (!port) throw new Error('mqtt-bench-publisher must run as a worker');
const clients = await Promise.all(
  Array.from({ length: clientCount }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-pub-${i}`, clean: true, reconnectPeriod: 0 })),
);
const topics = Array.from({ length: devices }, (_, i) => `bench/b${i % 2 === 0 ? 1 : 2}/smoke/sd-${i}/state`);
let heartbeat = 0;

async function run(job: Job): Promise<number> {
  const sliceMs = 10;
  const perSlice = job.messagesPerSecond / (1000 / sliceMs);
  const total = Math.round(job.messagesPerSecond * job.seconds);
  const start = performance.now();
  let sent = 0;
  let pendingAcks = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / sliceMs + 1) * perSlice));
    while (sent < due) {
      const client = clients[sent % clients.length] as mqtt.MqttClient;
      const n = sent % devices;
      heartbeat++;
      const payload = `{"obscuration_pct_m":${(n % 50) / 100},"alarm":false,"battery_pct":${90 + (n % 10)},"tamper":false,"heartbeat":${heartbeat},"ts":${Date.now()}}`;
      if (qos === 1) {
        pendingAcks++;
        client.publish(topics[n] as string, payload, { qos: 1 }, () => pendingAcks--);
      } else {
        client.publish(topics[n] as string, payload, { qos: 0 });
      }
      sent++;
    }
    await new Promise((r) => setTimeout(r, sliceMs));
  }
  const deadline = performance.now() + 5_000;
  while (pendingAcks > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return sent;
}

port.on('message', (msg: Job | 'stop') => {
  if (msg === 'stop') {
    void Promise.all(clients.map((c) => c.endAsync())).then(() => port.close());
    return;
  }
  void run(msg).then((sent) => port.postMessage({ sent, elapsedMs: 0 }));
});
port.postMessage('ready');
