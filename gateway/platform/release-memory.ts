/**
 * Give the start-up's garbage back to the operating system, once, when start-up is over.
 *
 * Start-up allocates far more than the running gateway keeps: the YAML document of the site file,
 * zod's parse of it, every device's set-up. V8 frees those objects in its next full collection,
 * but keeps the freed pages pooled and resident for reuse; only a memory-reducing collection
 * returns them, and V8's own memory reducer never starts while timers and connectors keep
 * allocating. Measured (BENCHMARKS.md, "Memory: start-up garbage returned"): loading a
 * 10,000-pump site file alone leaves about 145 MiB resident; a memory-reducing collection right
 * after returns it.
 *
 * The collection is V8's "last resort" full GC (`gc({ type: 'major', execution: 'sync', flavor:
 * 'last-resort' })`), reached without `--expose-gc` on the command line: the flag is set at run
 * time and the `gc` function taken from a fresh context, so no `gc` global appears in the
 * gateway's own context. It blocks the thread that calls it for the duration of the collection
 * (tens to a few hundred milliseconds for a 10,000-device site), once.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => unknown;

let gcFunction: GcFunction | undefined;

function gcOf(): GcFunction {
  if (gcFunction) return gcFunction;
  setFlagsFromString('--expose-gc');
  gcFunction = runInNewContext('gc') as GcFunction;
  return gcFunction;
}

export interface MemoryRelease {
  /** Resident set size before and after, in bytes. */
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** V8 heap (committed) before and after, in bytes. */
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly ms: number;
}

/** Run one memory-reducing full collection on the calling thread; what it returned. */
export function releaseUnusedMemory(): MemoryRelease {
  const gc = gcOf();
  const before = process.memoryUsage();
  const t0 = performance.now();
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  return { rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heapTotal, heapAfter: after.heapTotal, ms };
}
