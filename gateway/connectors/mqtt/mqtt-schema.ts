import { tlsClientSchema } from '../../platform/tls-client.ts';
import { z } from 'zod';
import { duration, identifier } from '../../config/common-schema.ts';
import { patternProblem } from './topic-pattern.ts';

/** How one canonical point is read out of a JSON payload. */
export const pointMapping = z.object({
  /** Dotted path into the payload, e.g. `data.obs` or `zones.0.state`. */
  path: z.string().min(1),
  scale: z.number().optional(),
  offset: z.number().optional(),
  /** Map raw values (as strings) to point values, e.g. `{ "1": "fire", "0": "normal" }`; the mapped value must have the point's type. */
  map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Strings that mean true/false for a boolean point (case-insensitive). Without them a boolean point takes only JSON true/false. */
  booleanWords: z.object({ true: z.array(z.string()), false: z.array(z.string()) }).optional(),
});
export type PointMapping = z.output<typeof pointMapping>;

export const payloadMapping = z
  .object({
    /**
     * `json` (default): a JSON object, points by path. `value`: the payload is one plain value
     * (`12.5`, `true`, `ON`, `"fire"`) of the mapping's only point, read at path `value`.
     */
    format: z.enum(['json', 'value']).default('json'),
    points: z.record(z.string(), pointMapping),
    /** Where the sample time is in the payload; arrival time when absent or unreadable. */
    timestamp: z.object({ path: z.string(), unit: z.enum(['ms', 's', 'iso']).default('ms') }).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.format !== 'value') return;
    const entries = Object.entries(m.points);
    if (entries.length !== 1) ctx.addIssue({ code: 'custom', path: ['points'], message: `format value carries one point; got ${entries.length}` });
    for (const [name, p] of entries) {
      if (p.path !== 'value') ctx.addIssue({ code: 'custom', path: ['points', name, 'path'], message: 'format value: the plain payload is at path "value"' });
    }
    if (m.timestamp !== undefined) ctx.addIssue({ code: 'custom', path: ['timestamp'], message: 'format value carries no timestamp; arrival time is used' });
  });
export type PayloadMapping = z.output<typeof payloadMapping>;

export const mqttConnectorSchema = z.object({
  id: identifier,
  type: z.literal('mqtt'),
  /** Broker URL; `embedded` means the gateway's own broker from the `broker` section. */
  url: z.string().default('embedded'),
  clientId: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** CA and client certificate for an `mqtts://` broker (not used for `embedded`). */
  tls: tlsClientSchema.optional(),
  qos: z.union([z.literal(0), z.literal(1)]).default(1),
  /** false keeps a persistent session so QoS 1 messages survive a gateway restart. */
  clean: z.boolean().default(false),
  /** Reconnect backoff (after a lost connection or a refused CONNACK): first delay, doubled up to the cap, with jitter. */
  reconnectMin: duration.default(1_000),
  reconnectMax: duration.default(30_000),
  /** Named payload mappings that bindings refer to. */
  mappings: z.record(z.string(), payloadMapping).default({}),
  /** Topics that carry life-safety data: unreadable payloads on them raise a trouble condition. */
  lifeSafetyTopics: z.array(z.string()).default([]),
  /**
   * An outside broker: the binding topics of devices with life-safety points (fire panels, smoke
   * detectors, elevators) are read through a second connection, client id `<clientId>-life-safety`,
   * so the broker never queues a fire or entrapment message behind telemetry. false: one connection.
   */
  lifeSafetyConnection: z.boolean().default(true),
  /**
   * Topic patterns with named segments that bind messages to devices by their `{device}` segment
   * (`site/{building}/smoke/{device}/state`). A `{building}` or `{floor}` segment must agree with
   * the device's location. A device's own `binding.topic` takes precedence.
   */
  routes: z
    .array(
      z.object({
        pattern: z.string().min(1).superRefine((p, ctx) => {
          const problem = patternProblem(p) ?? (p.includes('{device}') ? undefined : 'a route pattern needs a {device} segment');
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
        /** Name of a mapping under `mappings` for devices that do not name their own. */
        mapping: z.string().optional(),
      }),
    )
    .default([]),
  /** Payloads larger than this are dropped (and counted) before decoding. */
  maxPayloadBytes: z.number().int().positive().max(16 * 1024 * 1024).default(64 * 1024),
}).superRefine((c, ctx) => {
  if (c.reconnectMax < c.reconnectMin) ctx.addIssue({ code: 'custom', path: ['reconnectMax'], message: 'reconnectMax must be at least reconnectMin' });
});
export type MqttConnectorConfig = z.output<typeof mqttConnectorSchema>;

export const mqttBindingSchema = z.object({
  connector: identifier,
  /** Exact topic, or a pattern with `+`/`#` wildcards. Optional when a connector route reaches the device. */
  topic: z.string().min(1).optional(),
  /**
   * Name of a mapping under the connector's `mappings`. Without one, payload keys that equal
   * canonical point names are taken as they are, and a numeric `ts` field (ms) as the time.
   */
  mapping: z.string().optional(),
});
export type MqttBinding = z.output<typeof mqttBindingSchema>;
