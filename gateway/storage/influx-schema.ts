/**
 * `storage.influx`: where telemetry goes besides the embedded store, and how the store-and-forward
 * spool behaves. One choice of server API: `version: 2` (InfluxDB 2.x/3.x/Cloud through the
 * official client) or `version: 1` (InfluxDB 1.x `/write`).
 */
import { z } from 'zod';
import { tlsClientSchema } from '../platform/tls-client.ts';
import { duration } from '../config/common-schema.ts';

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size such as `1GiB`, `512MiB`, `200MB`, or a number of bytes. */
export const byteSize = z
  .union([z.string(), z.number().int().positive()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)\s*$/i.exec(value);
    const factor = m ? UNITS[(m[2] as string).toLowerCase()] : undefined;
    if (!m || factor === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size like 512MiB, 1GiB or 200MB (or bytes as a number), got "${value}"` });
      return z.NEVER;
    }
    return Math.round(Number(m[1]) * factor);
  })
  .meta({ description: 'Size: 512MiB, 1GiB, 200MB (or bytes as a number)' });

const common = {
  /** Lines per write request. */
  batchSize: z.number().int().min(1).max(100_000).default(5_000),
  /** A partial batch is sent after this long. */
  flushInterval: duration.default(1_000),
  /** gzip request bodies. */
  gzip: z.boolean().default(true),
  /** Per-request timeout; a timeout keeps the batch spooled. */
  timeout: duration.default(10_000),
  /** Backlog (spooled during an outage) drain rate to start from; it then follows the server (AIMD, drain-controller.ts). */
  drainLinesPerSecond: z.number().positive().default(20_000),
  /** Retry back-off after a failed write (doubling from min to max); Retry-After wins when sent. */
  retryMin: duration.default(1_000),
  retryMax: duration.default(30_000),
  /** CA and client certificate for an https:// server. */
  tls: tlsClientSchema.optional(),
  spool: z
    .object({
      /** File under the data directory. */
      file: z.string().default('spool.db'),
      /** Stored line bytes beyond which the oldest lines are dropped (and counted). */
      maxSize: byteSize.default(1024 ** 3),
    })
    .prefault({}),
};

export const influxV1Schema = z.object({
  version: z.literal(1),
  url: z.url(),
  db: z.string().min(1),
  retentionPolicy: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  ...common,
});

export const influxV2Schema = z.object({
  version: z.literal(2),
  url: z.url(),
  org: z.string().min(1),
  bucket: z.string().min(1),
  token: z.string().min(1),
  ...common,
});

export const influxSchema = z.discriminatedUnion('version', [influxV1Schema, influxV2Schema]);

export type InfluxConfig = z.output<typeof influxSchema>;
export type InfluxV1Config = z.output<typeof influxV1Schema>;
export type InfluxV2Config = z.output<typeof influxV2Schema>;
