/**
 * The zod building blocks every config schema shares (gateway/, rules/): durations as people write
 * them and identifiers safe for topics, URLs and InfluxDB tags. Part of the shared model, so rules/
 * may use them without importing gateway/config.
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** A duration such as `30s`, `15m`, `2h`, or a number of milliseconds; yields milliseconds. */
export const duration = z
  .union([z.string(), z.number().nonnegative()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 30s, 15m, 2h or 7d, got "${value}"` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: 'Duration: 500ms, 30s, 15m, 2h, 7d (or milliseconds as a number)' });

/** Identifiers used in topics, URLs and InfluxDB tags. */
export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected letters, digits, "_", "." or "-" (starting with a letter or digit)');
