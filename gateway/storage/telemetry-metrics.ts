/**
 * Prometheus metrics of the telemetry sink (prom-client), read at scrape time from the
 * forwarder's status, plus a histogram of write latency observed per request.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ForwarderStatus } from './telemetry-forwarder.ts';
import type { WriteResult } from './write-result.ts';

/** A counter whose value is owned elsewhere (a monotonic total read at scrape time). */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  const counter: Counter = new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      counter.reset();
      counter.inc(read());
    },
  });
}

export class TelemetryMetrics {
  private readonly latency: Histogram<'result'>;

  constructor(registry: Registry, readStatus: () => ForwarderStatus) {
    // One status read per scrape, not one per metric: prom-client collects metrics in the order
    // they were registered, and the first one (spool depth, below) refreshes the status.
    let cached: ForwarderStatus | undefined;
    const refresh = (): ForwarderStatus => (cached = readStatus());
    const status = (): ForwarderStatus => cached ?? refresh();
    const gauge = (name: string, help: string, read: (s: ForwarderStatus) => number): void => {
      const g: Gauge = new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          g.set(read(status()));
        },
      });
    };
    gauge('gateway_telemetry_spool_depth_lines', 'Lines of telemetry waiting in the spool', () => refresh().spool.depth);
    gauge('gateway_telemetry_spool_bytes', 'Bytes of line protocol waiting in the spool', (s) => s.spool.bytes);
    gauge('gateway_telemetry_spool_max_bytes', 'Spool size bound; beyond it the oldest lines are dropped', (s) => s.spool.maxBytes);
    gauge('gateway_telemetry_spool_oldest_age_seconds', 'Age of the oldest spooled line (0 when empty)', (s) => (s.spool.oldestAgeMs ?? 0) / 1000);
    gauge('gateway_telemetry_sink_up', '1 while the telemetry sink accepts writes, 0 while retrying or misconfigured', (s) => (s.state === 'ok' ? 1 : 0));
    gauge('gateway_telemetry_sink_misconfigured', '1 while the sink answers 401/403/404', (s) => (s.state === 'misconfigured' ? 1 : 0));
    gauge('gateway_telemetry_last_error_timestamp_seconds', 'When the last write failed (0: never)', (s) => (s.lastError ? s.lastError.at / 1000 : 0));
    gauge('gateway_telemetry_last_success_timestamp_seconds', 'When the last write succeeded (0: never)', (s) => (s.lastSuccessAt ?? 0) / 1000);
    mirroredCounter(registry, 'gateway_telemetry_points_written_total', 'Points (fields) the server accepted; rate() gives points/s', () => status().writtenPoints);
    mirroredCounter(registry, 'gateway_telemetry_lines_written_total', 'Lines the server accepted', () => status().writtenLines);
    mirroredCounter(registry, 'gateway_telemetry_lines_appended_total', 'Lines appended to the spool since start', () => status().appendedLines);
    mirroredCounter(registry, 'gateway_telemetry_dead_lettered_lines_total', 'Lines the server refused, kept in the dead-letter table', () => status().spool.deadLettered);
    mirroredCounter(registry, 'gateway_telemetry_dropped_lines_total', 'Lines dropped by the spool overflow policy (oldest first)', () => status().spool.droppedLines);
    mirroredCounter(registry, 'gateway_telemetry_failed_requests_total', 'Write requests that failed', () => status().failedRequests);
    const lastError: Gauge<'message'> = new Gauge({
      name: 'gateway_telemetry_last_error_info',
      help: 'The last write error message (value 1), absent before the first error',
      labelNames: ['message'],
      registers: [registry],
      collect() {
        lastError.reset();
        const e = status().lastError;
        if (e) lastError.set({ message: e.message.slice(0, 300) }, 1);
      },
    });
    this.latency = new Histogram({
      name: 'gateway_telemetry_write_duration_seconds',
      help: 'Duration of write requests to the telemetry sink',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  observeWrite(seconds: number, result: WriteResult['kind']): void {
    this.latency.observe({ result }, seconds);
  }
}
