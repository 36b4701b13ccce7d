/** The `sparkplug` connector (a Sparkplug B host reading vendor edge nodes) and its device binding (zod). */
import { z } from 'zod';
import { tlsClientSchema } from '../../platform/tls-client.ts';
import { duration, identifier } from '../../config/common-schema.ts';

/** A Sparkplug name element: no `/`, `+` or `#` (spec 4.1.1). */
const topicElement = z.string().min(1).regex(/^[^/+#]+$/, 'a Sparkplug id may not contain "/", "+" or "#"');

export const sparkplugHostConnectorSchema = z
  .strictObject({
    id: identifier,
    type: z.literal('sparkplug'),
    /** Broker URL; `embedded` means the gateway's own broker. */
    url: z.string().default('embedded'),
    /** The Sparkplug group the vendor's edge nodes publish in: the connector subscribes to `spBv1.0/<groupId>/#`. */
    groupId: topicElement,
    clientId: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    tls: tlsClientSchema.optional(),
    /** Reconnect backoff after a lost connection: first delay, doubled up to the cap, with jitter. */
    reconnectMin: duration.default(1_000),
    reconnectMax: duration.default(30_000),
    /** Least time between two rebirth requests (NCMD `Node Control/Rebirth`) to one edge node. */
    rebirthHoldoff: duration.default(5_000),
  })
  .superRefine((c, ctx) => {
    if (c.reconnectMax < c.reconnectMin) ctx.addIssue({ code: 'custom', path: ['reconnectMax'], message: 'reconnectMax must be at least reconnectMin' });
  });
export type SparkplugHostConnectorConfig = z.output<typeof sparkplugHostConnectorSchema>;

/** One point read from one metric: its name in the birth, and how the raw value becomes the point's. */
export const sparkplugMetricSchema = z.union([
  z.string().min(1).transform((name) => ({ name, scale: 1, offset: 0 })),
  z.strictObject({
    name: z.string().min(1),
    scale: z.number().default(1),
    offset: z.number().default(0),
    /** Raw value (as a string) → point value: `{ "0": stopped, "1": running }`. */
    map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
]);
export type SparkplugMetricBinding = z.output<typeof sparkplugMetricSchema>;

export const sparkplugHostBindingSchema = z.strictObject({
  connector: identifier,
  /** The vendor's edge node id (`spBv1.0/<group>/NBIRTH/<edgeNode>`). */
  edgeNode: topicElement,
  /** The Sparkplug device id under the node (DBIRTH/DDATA); absent: the node's own metrics (NBIRTH/NDATA). */
  device: topicElement.optional(),
  /** Canonical (or vendor) point → metric name as the birth names it (data messages may use its alias). */
  metrics: z.record(z.string(), sparkplugMetricSchema),
});
export type SparkplugHostBinding = z.output<typeof sparkplugHostBindingSchema>;
