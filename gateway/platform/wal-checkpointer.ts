/**
 * Folds SQLite write-ahead logs into their database files on a thread of its own, so the thread
 * that commits does not wait for the checkpoint's page copies and fsyncs (in the storage worker,
 * telemetry.db's checkpoint inside COMMIT was a quarter of the worker's time at 10,000 msg/s, and
 * the InfluxDB forwarder's answers waited behind it).
 *
 * The committing connection keeps its own `wal_autocheckpoint` as the bound: if this thread falls
 * behind, SQLite folds the log at COMMIT as before, so the log never grows past that bound
 * (telemetry.db's full-disk reserve relies on it). A PASSIVE checkpoint never blocks the writer,
 * and it changes nothing about durability: a committed transaction is in the log either way.
 *
 * The thread is a few lines of plain JavaScript (eval), so it loads neither TypeScript nor any
 * module of the gateway.
 */
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'close') {
    for (const db of open.values()) db.close();
    parentPort.close();
    return;
  }
  let error = null;
  try {
    let db = open.get(m.file);
    if (!db) {
      db = new DatabaseSync(m.file);
      db.exec('PRAGMA busy_timeout = 5000');
      open.set(m.file, db);
    }
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch (err) {
    error = String(err && err.message || err);
  }
  parentPort.postMessage({ file: m.file, error });
});
`;

/** At most one checkpoint of a file this often (ms): a fold per commit would fsync far more often than needed. */
export const CHECKPOINT_INTERVAL_MS = 50;

interface FileState {
  busy: boolean;
  wanted: boolean;
  timer: NodeJS.Timeout | undefined;
  done: number;
}

export class WalCheckpointer {
  private worker: Worker | undefined;
  private readonly files = new Map<string, FileState>();
  private closed = false;
  /** The last error of a checkpoint (the committing connection's own autocheckpoint still bounds the log). */
  lastError: string | null = null;

  /** `onError`: called once per distinct error of the thread or of a checkpoint (logged by the caller). */
  private readonly onError: (message: string) => void;

  constructor(onError: (message: string) => void = () => {}) {
    this.onError = onError;
  }

  /** Whether the thread runs: it starts at the first request, so a gateway that never commits telemetry starts none. */
  get threadStarted(): boolean {
    return this.worker !== undefined;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: { file: string; error: string | null }) => {
      const s = this.files.get(m.file);
      if (m.error !== null) this.failed(m.error);
      if (!s) return;
      s.busy = false;
      s.done++;
      if (s.wanted && !this.closed) {
        s.timer = setTimeout(() => {
          s.timer = undefined;
          this.request(m.file);
        }, CHECKPOINT_INTERVAL_MS);
        s.timer.unref();
      }
    });
    // a failed thread only means the commits fold their logs themselves again
    worker.on('error', (err) => {
      this.closed = true;
      this.failed(`checkpointer thread failed: ${err.message}`);
    });
    return worker;
  }

  private failed(message: string): void {
    if (message !== this.lastError) this.onError(message);
    this.lastError = message;
  }

  /** Ask for `file`'s log to be folded (after a commit); requests while one is running make one more. */
  request(file: string): void {
    if (this.closed) return;
    let s = this.files.get(file);
    if (!s) {
      s = { busy: false, wanted: false, timer: undefined, done: 0 };
      this.files.set(file, s);
    }
    if (s.busy || s.timer) {
      s.wanted = true;
      return;
    }
    s.wanted = false;
    s.busy = true;
    this.thread().postMessage({ op: 'checkpoint', file });
  }

  /** Checkpoints of `file` finished so far. */
  completed(file: string): number {
    return this.files.get(file)?.done ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.files.values()) if (s.timer) clearTimeout(s.timer);
    const worker = this.worker;
    if (!worker) return;
    worker.ref(); // until it has closed its connections and exited
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ op: 'close' });
    await exited;
  }
}
