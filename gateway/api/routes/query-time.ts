import { z } from 'zod';

/** A time in a query string: ISO 8601 (`2026-11-23T08:00:00+08:00`) or epoch milliseconds. */
export const queryTime = z
  .string()
  .transform((text, ctx) => {
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `expected an ISO 8601 time or epoch milliseconds, got "${text}"` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: 'ISO 8601 time or epoch milliseconds', example: '2026-11-23T08:00:00+08:00' });
