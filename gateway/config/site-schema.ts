/**
 * The site configuration: the single source of the config types (z.output) and of
 * config/schema.json (z.toJSONSchema, input side).
 */
import { z } from 'zod';
import { accountsSchema } from '../auth/account-schema.ts';
import { apiSchema } from '../api/api-schema.ts';
import { DEVICE_KINDS } from '../model/device-kinds.ts';
import { bindingBaseSchema, connectorConfigSchema } from '../connectors/connector-schemas.ts';
import { duration, identifier } from './common-schema.ts';
import { influxSchema } from '../storage/influx-schema.ts';
import { alarmSettingsSchema, rulePacksSchema, ruleSchema } from '../../rules/config/rule-schema.ts';
import { workOrderConfigSchema } from '../../rules/work-orders/work-order-schema.ts';
import { uptimeSchema } from '../../rules/uptime/uptime-schema.ts';

export const floorSchema = z.object({
  id: identifier,
  name: z.string().optional(),
});

export const buildingSchema = z.object({
  id: identifier,
  name: z.string().min(1),
  floors: z.array(floorSchema).min(1),
});

export const deviceSchema = z.object({
  id: identifier,
  name: z.string().optional(),
  kind: z.enum(DEVICE_KINDS),
  building: identifier,
  floor: identifier,
  /** Detection zones of a fire panel. */
  zones: z.number().int().min(1).max(512).optional(),
  /** Without a good sample for this long the device shows offline (default: `devices.offlineAfter`). */
  offlineAfter: duration.optional(),
  /** Protocol binding: `connector` names a connection; the other fields depend on its type. */
  binding: bindingBaseSchema,
});

export const brokerSchema = z.object({
  enabled: z.boolean().default(false),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(1883),
  maxPacketSize: z.number().int().positive().default(256 * 1024),
  users: z.array(z.object({ username: z.string().min(1), password: z.string().min(1) })).default([]),
  /**
   * Publish/subscribe authorization by topic prefix. Empty: every client may do everything. Otherwise
   * denied unless a rule for the client's username (or a rule without username) lists a covering
   * prefix (`demo/b1/`; `#` = all). The gateway's own MQTT connector needs a subscribe rule too.
   */
  acl: z
    .array(
      z.object({
        username: z.string().min(1).optional(),
        publish: z.array(z.string().min(1)).default([]),
        subscribe: z.array(z.string().min(1)).default([]),
      }),
    )
    .default([]),
});

export const storageSchema = z.object({
  dataDir: z.string().default('./data'),
  /** How long samples stay in the embedded SQLite store. */
  retention: duration.default(30 * 86_400_000),
  /** How often old samples are pruned. */
  pruneEvery: duration.default(3_600_000),
  /** Telemetry also goes to InfluxDB through a durable store-and-forward spool (gateway/storage/README.md). */
  influx: influxSchema.optional(),
});

export const busSchema = z.object({
  /** Samples each consumer may have queued before the oldest are dropped (and counted). */
  queueCapacity: z.number().int().positive().default(200_000),
});

export const siteConfigSchema = z.object({
  site: z.object({
    id: identifier,
    name: z.string().min(1),
    timezone: z.string().default('Asia/Shanghai'),
  }),
  buildings: z.array(buildingSchema).min(1),
  connectors: z.array(connectorConfigSchema).default([]),
  devices: z.array(deviceSchema).default([]),
  deviceDefaults: z.object({ offlineAfter: duration.default(120_000) }).prefault({}),
  broker: brokerSchema.prefault({}),
  storage: storageSchema.prefault({}),
  api: apiSchema.prefault({}),
  bus: busSchema.prefault({}),
  accounts: accountsSchema.prefault({}),
  /** Site rules; a rule with the id of a pack rule replaces it. */
  rules: z.array(ruleSchema).default([]),
  /** Default rule packs to enable, by file name under config/rule-packs/ (without .yaml). */
  rulePacks: rulePacksSchema,
  /** Alarm priorities' meanings, chatter and flood limits, shelving limit. */
  alarms: alarmSettingsSchema.prefault({}),
  /** Work orders from alarms, manual and preventive maintenance (rules/work-orders/README.md). */
  workOrders: workOrderConfigSchema.prefault({}),
  /** Equipment uptime against the contract's target (rules/uptime/README.md). */
  uptime: uptimeSchema.prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type SiteConfig = z.output<typeof siteConfigSchema>;
export type DeviceConfig = SiteConfig['devices'][number];
export type SiteConfigInput = z.input<typeof siteConfigSchema>;
