import { z } from 'zod';
import { duration, identifier } from '../../config/common-schema.ts';

/**
 * Security policies the gateway accepts. The RSA PKCS#1 v1.5 policies (Basic128Rsa15, Basic256)
 * are deprecated by the OPC Foundation and deliberately absent.
 */
export const OPCUA_SECURITY_POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;

export const opcuaConnectorSchema = z
  .object({
    id: identifier,
    type: z.literal('opcua'),
    endpoint: z.string().regex(/^opc\.tcp:\/\//, 'expected an opc.tcp:// endpoint URL'),
    securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
    securityPolicy: z.enum(OPCUA_SECURITY_POLICIES).default('None'),
    identity: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('anonymous') }),
        z.object({ type: z.literal('user'), username: z.string(), password: z.string() }),
        z.object({ type: z.literal('certificate'), certificateFile: z.string(), privateKeyFile: z.string() }),
      ])
      .default({ type: 'anonymous' }),
    publishingInterval: duration.default(500),
    /**
     * PKI folder (own/, trusted/, rejected/) for the client's certificate and the trusted server
     * certificates. Default: `<storage.dataDir>/pki`.
     */
    pkiDir: z.string().optional(),
    /** Accept any server certificate (and record it in trusted/). Development only: logged as a warning. */
    trustUnknownServerCertificates: z.boolean().default(false),
    /** Publishing intervals without data after which the server sends an (empty) keep-alive. */
    keepAliveCount: z.number().int().min(1).max(1000).default(10),
    /** Silence (no data, no keep-alive) after which the subscription is reported and rebuilt. Default: 3 keep-alive periods. */
    silentAfter: duration.optional(),
    /** Reconnect backoff: first delay and cap (jittered, doubling). */
    reconnectDelay: duration.default(1_000),
    reconnectMaxDelay: duration.default(5_000),
    /** Upper bound of monitored items per CreateMonitoredItems call when the server states no limit. */
    maxItemsPerCall: z.number().int().min(1).max(100_000).default(1_000),
    /** Timeout of one request (connect, create session, create items). */
    requestTimeout: duration.default(10_000),
  })
  .superRefine((c, ctx) => {
    if (c.securityMode === 'None' && c.securityPolicy !== 'None') {
      ctx.addIssue({ code: 'custom', path: ['securityPolicy'], message: `securityMode None needs securityPolicy None (got ${c.securityPolicy})` });
    }
    if (c.reconnectMaxDelay < c.reconnectDelay) {
      ctx.addIssue({ code: 'custom', path: ['reconnectMaxDelay'], message: `reconnectMaxDelay (${c.reconnectMaxDelay} ms) must be at least reconnectDelay (${c.reconnectDelay} ms)` });
    }
    if (c.securityMode !== 'None' && c.securityPolicy === 'None') {
      ctx.addIssue({ code: 'custom', path: ['securityPolicy'], message: `securityMode ${c.securityMode} needs a securityPolicy such as Basic256Sha256` });
    }
  });
export type OpcuaConnectorConfig = z.output<typeof opcuaConnectorSchema>;

export const deadbandSchema = z.object({
  type: z.enum(['absolute', 'percent']),
  value: z.number().nonnegative(),
});
export type Deadband = z.output<typeof deadbandSchema>;

/** One node of a binding, in full form. */
export const opcuaNodeSchema = z.object({
  /** `ns=1;s=Panel1.Zone1.State`; `{device}` and (in `{zone}` entries) `{zone}` are substituted. */
  nodeId: z.string().min(1).optional(),
  /**
   * Instead of a node id: a browse path from the Root folder, in the OPC UA relative-path syntax
   * (`/Objects/2:Plant/2:Pump1/2:Pressure`), resolved on every (re)connect; `{device}`/`{zone}` substituted.
   */
  browsePath: z.string().regex(/^\//, 'a browse path starts with "/" (from the Root folder), e.g. /Objects/2:Plant/2:Pressure').optional(),
  /** Raw value (as a string) → point value, e.g. `{ "0": "normal", "1": "fire" }`. */
  map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  scale: z.number().optional(),
  offset: z.number().optional(),
  deadband: deadbandSchema.optional(),
  samplingInterval: duration.optional(),
  queueSize: z.number().int().min(1).max(10_000).optional(),
}).refine((n) => (n.nodeId === undefined) !== (n.browsePath === undefined), { message: 'give exactly one of nodeId or browsePath' });
export type OpcuaNodeSpec = z.output<typeof opcuaNodeSchema>;

export const OPCUA_WRITE_TYPES = ['Boolean', 'SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Float', 'Double', 'String'] as const;

/** A typed OPC UA value (a write, a method argument, an expected read-back). */
const opcuaTypedValue = {
  dataType: z.enum(OPCUA_WRITE_TYPES),
  value: z.union([z.boolean(), z.number(), z.string()]),
};

/**
 * A command of the kind as an OPC UA write (confirmed by reading the node back) or a method call
 * (confirmed by reading `confirm.nodeId` until it shows `confirm.value`; without `confirm` a Good
 * call is reported `not_confirmed`, never assumed).
 */
export const opcuaCommandSchema = z.union([
  z.strictObject({ write: z.strictObject({ nodeId: z.string().min(1), ...opcuaTypedValue }) }),
  z.strictObject({
    call: z.strictObject({
      objectId: z.string().min(1),
      methodId: z.string().min(1),
      inputs: z.array(z.strictObject(opcuaTypedValue)).default([]),
      confirm: z.strictObject({ nodeId: z.string().min(1), value: z.union([z.boolean(), z.number(), z.string()]) }).optional(),
    }),
  }),
]);
export type OpcuaCommand = z.output<typeof opcuaCommandSchema>;

/**
 * Alarms & Conditions of a device: events of `notifier` (an object whose EventNotifier is set; the
 * Server object `i=2253` by default), each condition becoming a gateway alarm. `source` keeps only
 * events whose SourceNode is that node (when several devices share one notifier). Severity bands:
 * severity ≥ `priorities.1` is P1, ≥ `priorities.2` P2, ≥ `priorities.3` P3, else P4.
 */
export const opcuaConditionsSchema = z
  .strictObject({
    notifier: z.string().min(1).default('i=2253'),
    source: z.string().min(1).optional(),
    priorities: z
      .strictObject({ 1: z.number().int().min(1).max(1000), 2: z.number().int().min(1).max(1000), 3: z.number().int().min(1).max(1000) })
      .default({ 1: 801, 2: 501, 3: 201 }),
    /** Default: true for fire panels and smoke detectors (life-safety kinds). */
    lifeSafety: z.boolean().optional(),
    /**
     * ConditionName with `{zone}` where the zone number is (`Zone{zone}Fire`): the alarm of a
     * matching condition is placed at that zone of the device (its floor in the zone map).
     */
    zone: z.string().regex(/\{zone\}/, 'a zone template contains {zone}, e.g. Zone{zone}Fire').optional(),
    queueSize: z.number().int().min(1).max(100_000).default(1000),
  })
  .superRefine((c, ctx) => {
    if (!(c.priorities[1] > c.priorities[2] && c.priorities[2] > c.priorities[3])) {
      ctx.addIssue({ code: 'custom', path: ['priorities'], message: `severity bands must fall from priority 1 to 3 (got 1: ${c.priorities[1]}, 2: ${c.priorities[2]}, 3: ${c.priorities[3]})` });
    }
  });
export type OpcuaConditionsBinding = z.output<typeof opcuaConditionsSchema>;

export const opcuaBindingSchema = z.object({
  connector: identifier,
  /**
   * Canonical point name → node id string or full node entry. A key containing `{zone}`
   * (`zone_{zone}_state`) expands once per fire zone of the device; `{device}` in node ids is the
   * device id.
   */
  nodes: z.record(z.string(), z.union([z.string().min(1), opcuaNodeSchema])),
  samplingInterval: duration.default(250),
  /** Server-side queue per monitored item (values kept between publishes). */
  queueSize: z.number().int().min(1).max(10_000).default(10),
  /** Default deadband for numeric points of this device. */
  deadband: deadbandSchema.optional(),
  /** The kind's commands as writes or method calls (`{device}` in node ids is the device id). */
  commands: z.record(z.string(), opcuaCommandSchema).optional(),
  /** OPC UA Alarms & Conditions of the device as gateway alarms (`{device}` in node ids is the device id). */
  conditions: opcuaConditionsSchema.optional(),
});
export type OpcuaBinding = z.output<typeof opcuaBindingSchema>;
