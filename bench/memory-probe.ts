/**
 * Preload of `bench:memory -- --probe`: the gateway's main thread samples its memory every 200 ms
 * (RSS, V8 heap committed and used, old space, external and ArrayBuffer memory) and keeps the
 * highest value of each in the file MEMORY_PROBE_FILE names (rewritten each second).
 */
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const file = process.env.MEMORY_PROBE_FILE;
// the preload runs in the storage worker too (it inherits the flags): the main thread's figures only
if (file && isMainThread) {
  const max: Record<string, number> = {};
  const keep = (k: string, bytes: number): void => {
    max[k] = Math.max(max[k] ?? 0, Math.round(bytes / 2 ** 20));
  };
  let ticks = 0;
  setInterval(() => {
    const m = process.memoryUsage();
    keep('rss', m.rss);
    keep('heapTotal', m.heapTotal);
    keep('heapUsed', m.heapUsed);
    keep('external', m.external);
    keep('arrayBuffers', m.arrayBuffers);
    const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
    if (old) keep('oldSpaceCommitted', old.physical_space_size);
    if (++ticks % 5 === 0) writeFileSync(file, JSON.stringify(max));
  }, 200).unref();
}
