/**
 * The parts of the gateway a CPU sample is counted to (bench/perf-parts.ts): each sample goes to the
 * first part, in the order below, that a frame of its stack belongs to, so the telemetry.db fold is
 * not counted as the telemetry.db write it runs inside, and the MQTT connector's own code not as
 * mqtt.js, which calls it. A function's part includes the native work it calls (SQLite, JSON,
 * structured clone, the system calls).
 */

/** [part, pattern on a frame's symbol], first match wins. */
export const PARTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['telemetry.db fold (sample_recent → sample_history)', /tryFold|moveRecentRows/],
  ['telemetry.db write', /gateway\/storage\/(sqlite-sample-store|recent-row-writer|sample-tables)\.ts|platform\/multi-row-insert\.ts/],
  ['InfluxDB lines (encoding)', /gateway\/storage\/line-protocol\.ts/],
  ['InfluxDB spool (append, settle)', /gateway\/storage\/(sqlite-spool|spool-groups|recent-lines|in-flight-batches)\.ts/],
  ['InfluxDB sending (forwarder, HTTP)', /gateway\/storage\/(telemetry-forwarder|telemetry-batch-sender|influx-v1-writer|influx-v2-writer|drain-controller|lane-loop)\.ts|undici/],
  ['write-ahead log checkpoints', /wal-checkpointer|sqlite3Checkpoint|walCheckpoint/],
  ['storage worker (messages, group commits)', /gateway\/storage\/(storage-worker|storage-core|write-groups)\.ts/],
  ['rules (alarm engine, alarm journal)', /\/rules\/alarms\//],
  ['live view and dashboard stream', /gateway\/live\/|event-stream-routes/],
  ['uptime ledger', /\/rules\/uptime\//],
  ['storage hand-over (columns, replies)', /gateway\/storage\/(telemetry-storage|sample-columns)\.ts/],
  ['MQTT connector (decode, map)', /gateway\/connectors\/mqtt\/(mqtt-connector|topic-routes|cross-link-dedupe|payload-[a-z-]+)\.ts/],
  ['ingest batching and PUBACKs', /gateway\/connectors\/mqtt\/(ingest-batcher|mqtt-ack-after-commit)\.ts/],
  ['mqtt.js and mqtt-packet', /node_modules\/(mqtt|mqtt-packet|bl)\//],
  ['sample bus', /gateway\/bus\//],
  ['garbage collection', /Scaveng|MarkCompact|Marking|Sweeper|Sweep|Evacuat|GCTracer|Heap::|RememberedSet|ConcurrentMarking/],
  ['JIT compilers', /compiler::|maglev|Maglev|turboshaft|Compiler|Compile/],
  ['Node runtime (event loop, streams, timers, thread messages)', /uv_run|uv__io_poll|epoll_|MessagePort|ValueDeserializer|ValueSerializer/],
];

/** The part of a sample whose stack has these symbols (any order); `other` when no part claims it. */
export function partOf(symbols: readonly string[]): string {
  for (const [part, pattern] of PARTS) if (symbols.some((s) => pattern.test(s))) return part;
  return 'other';
}
