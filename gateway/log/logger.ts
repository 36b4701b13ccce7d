import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type pretty from 'pino-pretty';

// pino-pretty is loaded only when a readable log is wanted (a terminal), not by a service writing JSON
const require = createRequire(import.meta.url);

/**
 * The root logger; components take a child (`log.child({ connector: 'mqtt-b1' })`).
 * JSON lines, one per event, unless `pretty` is set: then readable coloured lines (pino-pretty,
 * synchronous, so nothing is lost on exit). `pretty` defaults to "stdout is a terminal", and
 * `LOG_FORMAT=json` or `LOG_FORMAT=pretty` overrides it.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', pretty_: boolean = wantsPrettyLog()): Logger {
  if (pretty_) return pino({ level, base: { pid: process.pid } }, prettyStream());
  return pino({ level, base: { pid: process.pid } });
}

/** The readable form: `[19:16:46] INFO: gateway running {"api":"..."}`, one line per event (colours on a terminal). */
export function prettyStream(destination?: NodeJS.WritableStream, colorize: boolean = destination === undefined): ReturnType<typeof pretty> {
  const prettyFactory = require('pino-pretty') as typeof pretty;
  return prettyFactory({ sync: true, colorize, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', ...(destination ? { destination } : {}) });
}

/** Pretty when stdout is a terminal, JSON when it is a pipe or a file; LOG_FORMAT decides when set. */
export function wantsPrettyLog(env: NodeJS.ProcessEnv = process.env, isTty: boolean = process.stdout.isTTY === true): boolean {
  if (env.LOG_FORMAT === 'json') return false;
  if (env.LOG_FORMAT === 'pretty') return true;
  return isTty;
}

/** A logger that writes nothing, for tests that do not assert on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
