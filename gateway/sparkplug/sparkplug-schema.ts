/**
 * `northbound.sparkplug` in the site file: the gateway as a Sparkplug B 3.0 edge node
 * (gateway/sparkplug/README.md).
 */
import { z } from 'zod';
import { duration, identifier } from '../config/common-schema.ts';
import { tlsClientSchema } from '../platform/tls-client.ts';

/** A Sparkplug topic element: no `/`, `+` or `#` (spec 3.0, 4.1.1). */
const topicElement = z.string().regex(/^[^/+#]+$/, 'a Sparkplug id holds no "/", "+" or "#"');

export const sparkplugSchema = z.strictObject({
  /** Broker URL (`mqtt://host:1883`, `mqtts://...`), or `embedded` for the gateway's own broker. */
  url: z.string().min(1),
  /**
   * Further brokers of the same cluster (`mqtt://node2:1883`, ...): when a session ends the node
   * connects to the next one in turn (`url` first), so losing the broker node it was on costs one
   * reconnect.
   */
  failover: z.array(z.string().min(1)).default([]),
  /** Sparkplug group id (the operator, the region): `spBv1.0/<groupId>/...`. */
  groupId: topicElement,
  /** Edge node id (default: the site id). */
  edgeNodeId: topicElement.optional(),
  /**
   * The primary host application's id: the node waits for its retained `spBv1.0/STATE/<id>` to say
   * `online` before it is born, and goes quiet (buffering in its outbox) while it says offline.
   */
  primaryHostId: topicElement.optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  tls: tlsClientSchema.optional(),
  /** MQTT keep-alive: the broker publishes the node's NDEATH within 1.5 × this after it vanishes. */
  keepalive: duration.default(15_000),
  /** Absolute deadband per canonical point name (`discharge_bar: 0.05`); a number changes by more than this to be reported. */
  deadbands: z.record(identifier, z.number().min(0)).default({}),
  /** Deadband of numeric points not listed in `deadbands`. */
  defaultDeadband: z.number().min(0).default(0),
  /** Most outbox messages replayed per second after an outage (alarms first). */
  replayRate: z.number().int().min(1).default(200),
  /** Reconnect delays (capped exponential with jitter). */
  reconnect: z.strictObject({ min: duration.default(500), max: duration.default(30_000) }).prefault({}),
});

export type SparkplugConfig = z.output<typeof sparkplugSchema>;

export const northboundSchema = z.strictObject({
  /** The gateway as a Sparkplug B edge node of an operations centre (gateway/sparkplug/README.md). */
  sparkplug: sparkplugSchema.optional(),
});
