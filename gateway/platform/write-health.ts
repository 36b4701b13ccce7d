/**
 * The health of writes to the state database (data/gateway.db): the real SQLite error, logged once
 * per state change (failing → with its code and message; a different error → again; recovered →
 * once, with how many writes failed meanwhile), never once per sample. Listeners turn the state
 * into a gateway trouble condition.
 */
import type { Logger } from 'pino';

/** SQLite primary result codes worth naming (the rest are shown by number). */
const SQLITE_CODES: Readonly<Record<number, string>> = {
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
};

export interface WriteFailure {
  /** `SQLITE_FULL`, `SQLITE_IOERR`, … or the error's own code / name when it is not SQLite's. */
  readonly code: string;
  readonly message: string;
}

/** What went wrong, from a node:sqlite error (`errcode`, `errstr`) or any other error. */
export function writeFailureOf(err: unknown): WriteFailure {
  const e = err as { errcode?: unknown; errstr?: unknown; code?: unknown; message?: unknown } | null;
  if (e && typeof e.errcode === 'number') {
    const primary = e.errcode & 0xff;
    return { code: SQLITE_CODES[primary] ?? `SQLITE_ERROR_${e.errcode}`, message: typeof e.errstr === 'string' && e.errstr !== '' ? e.errstr : String(e.message) };
  }
  if (e && typeof e.code === 'string' && e.code === 'ENOSPC') return { code: 'SQLITE_FULL', message: String(e.message) };
  return { code: e && typeof e.code === 'string' ? e.code : 'ERROR', message: e && typeof e.message === 'string' ? e.message : String(err) };
}

export const isDiskFull = (f: WriteFailure): boolean => f.code === 'SQLITE_FULL';

export type WriteHealthListener = (failing: WriteFailure | null) => void;

export class WriteHealth {
  private readonly log: Logger;
  private readonly what: string;
  private current: WriteFailure | null = null;
  private failures = 0;
  private readonly listeners = new Set<WriteHealthListener>();

  constructor(log: Logger, what: string) {
    this.log = log;
    this.what = what;
  }

  get failing(): WriteFailure | null {
    return this.current;
  }

  /** Failed writes since the state last changed. */
  get failedWrites(): number {
    return this.failures;
  }

  onChange(listener: WriteHealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  failed(err: unknown, context: string): WriteFailure {
    const f = writeFailureOf(err);
    this.failures++;
    const changed = this.current === null || this.current.code !== f.code || this.current.message !== f.message;
    if (changed) {
      this.log.error({ err, code: f.code, context, db: this.what }, `${this.what}: ${context} failed (${f.code}: ${f.message}); retrying, logged again only when this changes`);
      this.current = f;
      for (const l of this.listeners) l(f);
    }
    return f;
  }

  ok(): void {
    if (this.current === null) return;
    this.log.info({ failedWrites: this.failures, was: this.current.code, db: this.what }, `${this.what}: writes succeed again after ${this.failures} failed attempt(s)`);
    this.current = null;
    this.failures = 0;
    for (const l of this.listeners) l(null);
  }
}
