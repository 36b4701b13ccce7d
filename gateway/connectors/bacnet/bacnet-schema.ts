import { z } from 'zod';
import { duration, identifier } from '../../config/common-schema.ts';

/** BACnet object types a binding may name (ASHRAE 135 numbers). */
export const BACNET_OBJECT_TYPES = {
  'analog-input': 0,
  'analog-output': 1,
  'analog-value': 2,
  'binary-input': 3,
  'binary-output': 4,
  'binary-value': 5,
  'multi-state-input': 13,
  'multi-state-output': 14,
  'multi-state-value': 19,
} as const;
export type BacnetObjectType = keyof typeof BACNET_OBJECT_TYPES;

/** Properties by name (or give the number). */
export const BACNET_PROPERTIES = { 'present-value': 85, 'status-flags': 111, 'out-of-service': 81, 'reliability': 103 } as const;

/** A `host:port` BACnet/IP address (port 47808 = 0xBAC0 by default). */
const ipAddress = z.string().regex(/^[^\s:]+(:\d{1,5})?$/, 'expected host or host:port, e.g. 192.168.1.20:47808');

export const bacnetObjectSchema = z.strictObject({
  type: z.enum(Object.keys(BACNET_OBJECT_TYPES) as [BacnetObjectType, ...BacnetObjectType[]]),
  instance: z.number().int().min(0).max(4_194_302),
  property: z.union([z.enum(Object.keys(BACNET_PROPERTIES) as [keyof typeof BACNET_PROPERTIES, ...(keyof typeof BACNET_PROPERTIES)[]]), z.number().int().min(0)]).default('present-value'),
  /** Subscribe to changes of value (SubscribeCOV) instead of only polling; renewed before its lifetime ends. */
  cov: z.boolean().default(false),
  scale: z.number().default(1),
  offset: z.number().default(0),
  /** Raw value (as a string) → point value: multi-state numbers to enum names, `{ "1": running }`. */
  map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type BacnetObject = z.output<typeof bacnetObjectSchema>;

export const bacnetConnectorSchema = z.strictObject({
  id: identifier,
  type: z.literal('bacnet'),
  /** Local address and UDP port the gateway binds (BACnet/IP: 47808). */
  interface: z.string().default('0.0.0.0'),
  port: z.number().int().min(1).max(65535).default(47808),
  /** Where Who-Is is broadcast (the subnet's broadcast address). */
  broadcastAddress: z.string().default('255.255.255.255'),
  /** Time for one confirmed request (ReadPropertyMultiple, SubscribeCOV). */
  apduTimeout: duration.default(3_000),
  /** Foreign-device registration with a BBMD, for devices on other IP subnets (routed networks); renewed at half its ttl. */
  bbmd: z.strictObject({ address: ipAddress, ttl: duration.default(300_000).refine((t) => t >= 1_000 && t <= 65_535_000, 'ttl is 1 s to 65535 s') }).optional(),
  /** Lifetime asked for each COV subscription; renewed at half of it. */
  covLifetime: duration.default(300_000),
  /** Consecutive failed polls before a device is marked comms-lost. */
  failuresBeforeLost: z.number().int().min(1).max(100).default(3),
});
export type BacnetConnectorConfig = z.output<typeof bacnetConnectorSchema>;

/** A command of the kind as a BACnet WriteProperty with priority (confirmed by reading the property back). */
export const bacnetWriteSchema = z.strictObject({
  type: z.enum(['analog-output', 'analog-value', 'binary-output', 'binary-value', 'multi-state-output', 'multi-state-value']),
  instance: z.number().int().min(0).max(4_194_302),
  property: z.union([z.enum(Object.keys(BACNET_PROPERTIES) as [keyof typeof BACNET_PROPERTIES, ...(keyof typeof BACNET_PROPERTIES)[]]), z.number().int().min(0)]).default('present-value'),
  /** Analog: a number; binary: true (active) or false; multi-state: the state number. */
  value: z.union([z.number(), z.boolean()]),
  /** Command priority 1-16 (8: manual operator; 1-2 are reserved for life safety). */
  priority: z.number().int().min(1).max(16).default(8),
});
export type BacnetWrite = z.output<typeof bacnetWriteSchema>;

export const bacnetBindingSchema = z.strictObject({
  connector: identifier,
  /** The device's BACnet/IP address (a router's, for a device on an MS/TP network behind it). */
  address: ipAddress,
  /** The device instance (its Device object), as Who-Is / `gateway bacnet discover` shows it. */
  deviceId: z.number().int().min(0).max(4_194_302),
  /** For a device behind a BACnet router (several devices behind one IP): its network number and MAC address (MS/TP: one byte). */
  network: z.strictObject({ net: z.number().int().min(1).max(65534), adr: z.array(z.number().int().min(0).max(255)).min(1).max(6) }).optional(),
  pollInterval: duration.default(5_000),
  /** Canonical (or vendor) point → object and property. */
  objects: z.record(z.string(), bacnetObjectSchema),
  /** The kind's commands as WriteProperty with priority: `{ send_home: { type: multi-state-value, instance: 3, value: 1, priority: 8 } }`. */
  commands: z.record(z.string(), bacnetWriteSchema).optional(),
});
export type BacnetBinding = z.output<typeof bacnetBindingSchema>;
