/**
 * The site configuration: the single source of the config types (z.output) and of
 * config/schema.json (z.toJSONSchema, input side).
 */
import { standbySchema } from '../standby/standby-schema.ts';
import { z } from 'zod';
import { accountsSchema } from '../auth/account-schema.ts';
import { kindName } from '../model/kinds/kind-name.ts';
import { siteKindsSchema, sitePoint } from './kind-schema.ts';
import { apiSchema } from '../api/api-schema.ts';
import { bindingBaseSchema, connectorConfigSchema } from '../connectors/connector-schemas.ts';
import { duration, identifier } from './common-schema.ts';
import { brokerSchema } from '../broker/broker-schema.ts';
import { privacySchema } from '../privacy/badge-privacy.ts';
import { commandSettingsSchema } from '../commands/command-settings.ts';
import { influxSchema } from '../storage/influx-schema.ts';
import { alarmSettingsSchema, normsSchema, rulePacksSchema, ruleSchema, uptimeSchema, workOrderConfigSchema } from '../../rules/index.ts';
import { northboundSchema } from '../sparkplug/sparkplug-schema.ts';

export const floorSchema = z.strictObject({
  id: identifier,
  name: z.string().optional(),
  /**
   * Floor plan: an SVG file (path relative to the site file) with a `viewBox`; device and zone
   * `position`s are in its viewBox units. Several floors may share one drawing.
   */
  plan: z.string().regex(/\.svg$/i, 'a floor plan is an .svg file').optional(),
});

/** Where a device or a fire zone is drawn on its floor's plan (viewBox units); zones may give an area. */
export const planPositionSchema = z.strictObject({
  x: z.number().min(0),
  y: z.number().min(0),
  width: z.number().positive().optional(),
  height: z.number().positive().optional(),
});

/**
 * Who to call and where to go (the contractor app's call and map links): the site's reception or
 * caretaker, or a building's own. `geo` opens a map at the entrance; without it the address is searched.
 */
export const contactSchema = z.strictObject({
  name: z.string().min(1).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{2,31}$/, 'expected a phone number such as +86 21 5555 0100')
    .optional(),
  address: z.string().min(1).optional(),
  geo: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
});
export type Contact = z.output<typeof contactSchema>;

export const buildingSchema = z.strictObject({
  id: identifier,
  name: z.string().min(1),
  floors: z.array(floorSchema).min(1),
  /** The building's own contact and entrance (else the site's). */
  contact: contactSchema.optional(),
});

/** One zone of a fire panel's zone map; building and floor default to the panel's. */
export const zoneSchema = z.strictObject({
  n: z.number().int().min(1).max(512),
  name: z.string().min(1).optional(),
  building: identifier.optional(),
  floor: identifier.optional(),
  area: z.string().min(1).optional(),
  /** The zone's place on its floor's plan (a rectangle with width and height, or a point). */
  position: planPositionSchema.optional(),
});

export const deviceSchema = z.strictObject({
  id: identifier,
  name: z.string().optional(),
  kind: kindName,
  building: identifier,
  floor: identifier,
  /**
   * Detection zones of a fire panel: a count (`8`, all where the panel is) or a zone map
   * (`[{ n: 3, name: East stair, building: b1, floor: F3, area: stair B }]`).
   */
  zones: z.union([z.number().int().min(1).max(512), z.array(zoneSchema).min(1)]).optional(),
  /** Where the device is drawn on its floor's plan (viewBox units of the plan). */
  position: planPositionSchema.optional(),
  /**
   * Without a sample for this long the uptime ledger counts the device comms-lost (default:
   * `deviceDefaults.offlineAfter`). The live view's `online` follows the connector's comms state instead.
   */
  offlineAfter: duration.optional(),
  /**
   * Vendor points beside the kind's canonical ones (a pump's `remote_mode` bit): typed, with unit and
   * labels; the binding maps them like canonical points, and they are stored, shown and usable in rules.
   */
  points: z.array(sitePoint).optional(),
  /** Protocol binding: `connector` names a connection; the other fields depend on its type. */
  binding: bindingBaseSchema,
});

export { brokerSchema } from '../broker/broker-schema.ts';

export const storageSchema = z.strictObject({
  dataDir: z.string().default('./data'),
  /** How long samples stay in the embedded SQLite store. */
  retention: duration.default(30 * 86_400_000),
  /** How often old samples are pruned. */
  pruneEvery: duration.default(3_600_000),
  /** Telemetry also goes to InfluxDB through a durable store-and-forward spool (gateway/storage/README.md). */
  influx: influxSchema.optional(),
});

export const busSchema = z.strictObject({
  /** Samples each consumer may have queued before the oldest are dropped (and counted). */
  queueCapacity: z.number().int().positive().default(200_000),
  /**
   * Read-ahead bound of the embedded broker: while this many telemetry samples wait for the slowest
   * consumer, publishers that sent more than a few messages since are no longer read (they keep
   * their messages, unacknowledged) until the backlog is down to half. 0 = never pause.
   */
  pauseIntakeAt: z.number().int().nonnegative().default(20_000),
});

export const siteConfigSchema = z.strictObject({
  site: z.strictObject({
    id: identifier,
    name: z.string().min(1),
    /** IANA time zone of the site (reports, schedules, the dashboard's clock). */
    timezone: z
      .string()
      .refine(isTimeZone, { message: 'not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)' })
      .default('Asia/Shanghai'),
    /** Reception or caretaker: phone, address and map position for contractors on their way. */
    contact: contactSchema.optional(),
  }),
  buildings: z.array(buildingSchema).min(1),
  /** Device kinds the site adds, described as data like the built-in ones (README: device kinds). */
  kinds: siteKindsSchema,
  connectors: z.array(connectorConfigSchema).default([]),
  devices: z.array(deviceSchema).default([]),
  deviceDefaults: z
    .strictObject({
      offlineAfter: duration.default(120_000),
      /**
       * A device time (e.g. an MQTT payload's timestamp) further ahead of the arrival time than this
       * is replaced by the arrival time and counted (`future_timestamp`): a fast device clock would
       * otherwise freeze the live value.
       */
      maxClockSkew: duration.default(5_000),
    })
    .prefault({}),
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
  /** Property-service norms: working-day calendar, resident requests, inspection rounds, monthly norms report (rules/norms/README.md). */
  norms: normsSchema,
  /** Residents' data: badge ids pseudonymised unless `badges: clear` (gateway/privacy/badge-privacy.ts). */
  privacy: privacySchema.prefault({}),
  /** Commands to devices: roles granted the command permission (none by default), life-safety equipment, read-back timeout (gateway/commands/). */
  commands: commandSettingsSchema.prefault({}),
  /** Northbound links to an operations centre: `sparkplug` (gateway/sparkplug/README.md). */
  northbound: northboundSchema.prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Warm standby: two gateways of one site, one acting, by a lease with fencing (gateway/standby/README.md). */
  standby: standbySchema.optional(),
});

/** Whether the runtime knows `name` as a time zone (what the running gateway would refuse, refused here). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export type SiteConfig = z.output<typeof siteConfigSchema>;
export type DeviceConfig = SiteConfig['devices'][number];
export type SiteConfigInput = z.input<typeof siteConfigSchema>;
