/**
 * The log level, changeable while the gateway runs (PUT /api/admin/log-level). pino's child loggers
 * that did not set a level of their own look it up on their parent, so changing the root's level
 * changes every component's at once.
 */
import type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogLevelControl {
  get(): LogLevel;
  /** Sets the level; returns the previous one. */
  set(level: LogLevel): LogLevel;
}

export function logLevelControl(root: Logger): LogLevelControl {
  return {
    get: () => root.level as LogLevel,
    set: (level) => {
      const previous = root.level as LogLevel;
      root.level = level;
      return previous;
    },
  };
}
