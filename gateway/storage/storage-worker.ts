/**
 * The storage worker thread (node:worker_threads): owns telemetry.db and spool.db, so SQLite
 * commits and the InfluxDB forwarder never run on the main thread, which stays free for broker
 * I/O, rules, the API and the live stream.
 *
 * Group commit: the write requests that arrived while the previous commit ran are stored in one
 * transaction per file (up to GROUP_COMMIT_SAMPLES samples a group, see write-groups.ts), then each
 * request is answered (the main thread's durability ack); the thread yields to its event loop
 * between groups. Requests are handled in arrival order, so a history query sees every write
 * answered before it.
 */
import { flushCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { RealClock } from '../model/clock.ts';
import { releaseUnusedMemory } from '../platform/release-memory.ts';
import type { Sample } from '../model/sample.ts';
import { TroubleBoard } from '../trouble/trouble-board.ts';
import { StorageCore } from './storage-core.ts';
import { fromColumns } from './sample-columns.ts';
import type { StorageEvent, StorageRequest, StorageWorkerData } from './storage-protocol.ts';
import { writeGroupEnd, type WriteRequest } from './write-groups.ts';

if (!parentPort) throw new Error('storage-worker.ts runs as a worker thread');
const port = parentPort;
const data = workerData as StorageWorkerData;
const log = pino({ level: data.logLevel, base: { pid: process.pid, component: 'storage-worker' } });
const clock = new RealClock();
const trouble = new TroubleBoard(clock);
const post = (e: StorageEvent): void => port.postMessage(e);
// the status first, so the main thread never sees a condition with an older status beside it
trouble.onChange((event, condition) => {
  postStatus();
  post({ kind: 'trouble', event, condition });
});

const core = new StorageCore(data.spec, {
  clock,
  log,
  trouble,
  spoolSync: 'NORMAL',
  backgroundCheckpoints: true,
  onWrite: (seconds, result) => {
    post({ kind: 'influx-write', seconds, result });
    setImmediate(postStatus); // after the forwarder handled the answer
  },
});
function postStatus(): void {
  const status = core?.influxStatus();
  if (status) post({ kind: 'influx-status', status });
}
const statusTimer = core.influx ? setInterval(postStatus, 1_000) : undefined;
statusTimer?.unref();

let pending: StorageRequest[] = [];
let scheduled = false;

port.on('message', (req: StorageRequest) => {
  pending.push(req);
  schedule();
});

function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    setImmediate(() => void runPending());
  }
}

async function runPending(): Promise<void> {
  scheduled = false;
  const requests = pending;
  pending = [];
  let i = 0;
  while (i < requests.length) {
    const req = requests[i] as StorageRequest;
    if (req.op === 'write') {
      // one group commit, then the event loop's turn before the rest (kept first, in order)
      const end = writeGroupEnd(requests, i);
      commit(requests.slice(i, end) as WriteRequest[]);
      if (end < requests.length) {
        pending = requests.slice(end).concat(pending);
        schedule();
        return;
      }
      i = end;
      continue;
    }
    i++;
    try {
      post({ kind: 'reply', id: req.id, ok: true, result: await handle(req) });
    } catch (err) {
      post({ kind: 'reply', id: req.id, ok: false, error: errorText(err) });
    }
    if (req.op === 'close') {
      port.close();
      return;
    }
  }
}

function commit(group: readonly WriteRequest[]): void {
  const started = performance.now();
  const samples: Sample[] = group.flatMap((g) => fromColumns(g.samples));
  try {
    core.write(samples);
  } catch (err) {
    // a telemetry.db failure is logged by the core once per state change, not once per commit
    const error = errorText(err);
    if (core.health.failing === null) log.error({ err: error, samples: samples.length }, 'telemetry commit failed');
    for (const g of group) post({ kind: 'reply', id: g.id, ok: false, error });
    return;
  }
  for (const g of group) post({ kind: 'reply', id: g.id, ok: true, result: null });
  post({ kind: 'commit', samples: samples.length, ms: performance.now() - started });
}

async function handle(req: Exclude<StorageRequest, { op: 'write' }>): Promise<unknown> {
  switch (req.op) {
    case 'history':
      return core.history(req.query);
    case 'latest':
      return core.latest();
    case 'prune':
      return core.prune(req.cutoff);
    case 'count':
      return core.count();
    case 'close':
      if (statusTimer) clearInterval(statusTimer);
      await core.close();
      return null;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// with NODE_COMPILE_CACHE: this thread's modules are cached now, not only if it exits cleanly
flushCompileCache();
// the set-up's garbage (the devices' structured clone, schema compiles) back to the OS before work starts
releaseUnusedMemory();
post({ kind: 'ready', influx: core.influxStatus() ?? null });
