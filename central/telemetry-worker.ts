/**
 * The centre's telemetry worker thread: owns the spool file and the InfluxDB forwarder
 * (telemetry-spool.ts), so their SQLite commits, reads and deletes never block the main thread,
 * which carries the alarm path (PostgreSQL) and the broker connection. Messages (telemetry-worker-protocol.ts):
 * `append` → `done` once the lines are durable (or `failed`); `stop` → `stopped`; a status every second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../gateway/log/logger.ts';
import { TelemetrySpool } from './telemetry-spool.ts';
import type { TelemetryWorkerData, ToTelemetryWorker, FromTelemetryWorker } from './telemetry-worker-protocol.ts';

const data = workerData as TelemetryWorkerData;
const port = parentPort;
if (!port) throw new Error('telemetry-worker.ts runs as a worker thread');
const log = createLogger(data.logLevel, false).child({ component: 'telemetry' });
const spool = new TelemetrySpool(data.config, data.dataDir, log);
spool.start();
const post = (m: FromTelemetryWorker): void => port.postMessage(m);
const timer = setInterval(() => post({ type: 'status', status: spool.status() }), 1_000);
post({ type: 'status', status: spool.status() });

port.on('message', (m: ToTelemetryWorker) => {
  if (m.type === 'append') {
    spool.append(m.lines).then(
      () => post({ type: 'done', id: m.id }),
      (err: unknown) => post({ type: 'failed', id: m.id, error: (err as Error).message }),
    );
  } else {
    clearInterval(timer);
    void spool.stop().finally(() => {
      post({ type: 'status', status: spool.status() });
      post({ type: 'stopped' });
    });
  }
});
