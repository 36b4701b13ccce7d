/**
 * `central.yaml`: the operations centre (the Sparkplug primary host application) — its broker,
 * its PostgreSQL database, its HTTP page and who may use it (central/README.md).
 */
import { z } from 'zod';
import { isPasswordHash } from '../gateway/auth/password-hash.ts';
import { duration, identifier } from '../gateway/config/common-schema.ts';
import { influxSchema } from '../gateway/storage/influx-schema.ts';
import { tlsClientSchema } from '../gateway/platform/tls-client.ts';

const topicElement = z.string().regex(/^[^/+#]+$/, 'a Sparkplug id holds no "/", "+" or "#"');

export const centralConfigSchema = z.strictObject({
  /** This centre's primary host id: its STATE is `spBv1.0/STATE/<hostId>` (the edge nodes' `primaryHostId`). */
  hostId: topicElement,
  /** Sparkplug group(s) of the fleet's edge nodes. */
  groups: z.array(topicElement).min(1),
  broker: z.strictObject({
    url: z.string().min(1),
    /** Further nodes of the broker cluster, tried in turn. */
    failover: z.array(z.string().min(1)).default([]),
    username: z.string().optional(),
    password: z.string().optional(),
    tls: tlsClientSchema.optional(),
    /** Shared-subscription group: the centre's instances split the fleet's messages (`$share/<group>/...`). */
    shareGroup: identifier.default('central'),
    keepalive: duration.default(10_000),
  }),
  postgres: z.strictObject({
    /** `postgres://user@host:port/db` (a password in the URL works too, but `password` can come from a file) */
    url: z.string().min(1),
    password: z.string().optional(),
    poolSize: z.number().int().min(1).max(100).default(10),
  }),
  api: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8090),
    })
    .prefault({}),
  /** Who may use the fleet page: `viewer` reads, `operator` also acknowledges. HTTP Basic over TLS in front. */
  users: z
    .array(
      z.strictObject({
        username: identifier,
        passwordHash: z.string().refine(isPasswordHash, 'expected a scrypt hash made by `gateway hash-password`, not a plain password'),
        role: z.enum(['viewer', 'operator']),
      }),
    )
    .min(1),
  /**
   * Telemetry (DBIRTH/DDATA metrics) to InfluxDB, through a durable spool under `dataDir` (the
   * gateway's `storage.influx` options). Without it the centre decodes and counts telemetry but keeps none.
   */
  influx: influxSchema.optional(),
  /** This instance's own directory (the telemetry spool); not shared between instances. */
  dataDir: z.string().min(1).default('./data-central'),
  /** How long a missing Sparkplug `seq` may stay missing before the node is asked for a rebirth. */
  seqGapGrace: duration.default(5_000),
  /** Availability target shown beside each site. */
  availabilityTarget: z.number().min(0).max(100).default(98),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type CentralConfig = z.output<typeof centralConfigSchema>;
