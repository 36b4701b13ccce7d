/**
 * Local storage: telemetry commits (samples, duration), the size on disk of each SQLite file of
 * the data directory (telemetry.db, spool.db, gateway.db with their WAL), and alarm transitions not
 * yet journaled. The InfluxDB spool's depth and age come from storage/telemetry-metrics.ts when
 * `storage.influx` is configured (without it there is no spool).
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Registry } from 'prom-client';
import type { LatencySnapshot } from './latency-buckets.ts';
import { scrapeCounter, scrapeGauge, scrapeHistogram } from './scrape-metric.ts';

export interface StorageMetricSource {
  commitMetrics(): { readonly samples: number; readonly latency: LatencySnapshot };
  stats(): { readonly commits: number };
}

function bytesOf(file: string): number | undefined {
  let total: number | undefined;
  for (const f of [file, `${file}-wal`]) {
    try {
      total = (total ?? 0) + statSync(f).size;
    } catch {
      // absent (no WAL yet, or the file was never made): nothing to add
    }
  }
  return total;
}

export function registerStorageMetrics(registry: Registry, store: StorageMetricSource, files: () => readonly string[]): void {
  scrapeCounter(registry, 'gateway_telemetry_commits_total', 'Group commits of telemetry.db', [], () => [[{}, store.stats().commits]]);
  scrapeCounter(registry, 'gateway_telemetry_samples_committed_total', 'Samples committed to telemetry.db', [], () => [[{}, store.commitMetrics().samples]]);
  scrapeHistogram(registry, 'gateway_telemetry_commit_duration_seconds', 'Duration of telemetry.db group commits', () => {
    const l = store.commitMetrics().latency;
    return [{ labels: {}, buckets: l.buckets, cumulative: l.cumulative, count: l.count, sum: l.sumSeconds }];
  });
  scrapeGauge(registry, 'gateway_sqlite_file_bytes', 'Size of each SQLite file of the data directory with its WAL', ['file'], () =>
    files().flatMap((f) => {
      const n = bytesOf(f);
      return n === undefined ? [] : [[{ file: basename(f) }, n] as const];
    }),
  );
}
