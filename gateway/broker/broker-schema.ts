/**
 * The `broker` section: the embedded MQTT broker (gateway/broker/README.md). Re-exported by
 * gateway/config/site-schema.ts.
 */
import { z } from 'zod';
import { duration } from '../config/common-schema.ts';

const brokerUserSchema = z
  .object({
    username: z.string().min(1),
    /** scrypt hash from `echo PASSWORD | npm run gateway -- hash-password` (preferred). */
    passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'expected a scrypt hash from `gateway hash-password`').optional(),
    /** Plain-text password: accepted only on a loopback listener, with a warning; use passwordHash. */
    password: z.string().min(1).optional(),
  })
  .refine((u) => (u.passwordHash === undefined) !== (u.password === undefined), { message: 'give exactly one of passwordHash or password' });

export const brokerSchema = z.strictObject({
  enabled: z.boolean().default(false),
  host: z.string().default('127.0.0.1'),
  /** Plain MQTT (TCP) port; see `plain` to switch the plain listener off. */
  port: z.number().int().min(0).max(65535).default(1883),
  /** Listen for plain MQTT on `host:port` (false: only the `tls` listener). */
  plain: z.boolean().default(true),
  /** An MQTT-over-TLS (mqtts) listener on `host:tls.port`, beside or instead of plain TCP. */
  tls: z
    .object({
      port: z.number().int().min(0).max(65535).default(8883),
      certFile: z.string().min(1),
      keyFile: z.string().min(1),
      /** CA bundle for client certificates (with `requireClientCert`). */
      caFile: z.string().min(1).optional(),
      /** Refuse TLS clients without a certificate signed by `caFile`. */
      requireClientCert: z.boolean().default(false),
    })
    .optional(),
  maxPacketSize: z.number().int().positive().default(256 * 1024),
  /** Open connections over all addresses; further ones are closed at once (and counted). */
  maxConnections: z.number().int().positive().default(1_000),
  perAddress: z
    .object({
      /** Open connections from one remote address. */
      maxConnections: z.number().int().positive().default(100),
      /** Failed logins from one address within `window` before it is blocked for `blockFor`. */
      maxAuthFailures: z.number().int().positive().default(10),
      window: duration.default(60_000),
      blockFor: duration.default(300_000),
    })
    .prefault({}),
  /** A client whose socket does not drain for this long is disconnected (and counted as slow). */
  drainTimeout: duration.default(10_000),
  /** Bytes waiting in one client's outgoing buffer before it is disconnected as slow. */
  maxQueuedBytes: z.number().int().positive().default(1024 * 1024),
  /** Packets a client may send before its CONNACK (aedes `queueLimit`). */
  queueLimit: z.number().int().positive().default(42),
  /** Inbound QoS 2 messages a client may have in flight (aedes `maxInflightInbound`). */
  maxInflightInbound: z.number().int().positive().default(100),
  maxClientsIdLength: z.number().int().positive().max(65_535).default(64),
  /** Required when the broker listens on anything but loopback. */
  users: z.array(brokerUserSchema).default([]),
  /**
   * Publish/subscribe authorization by topic prefix. Empty: every authenticated client may do
   * everything. Otherwise denied unless a rule for the client's username (or a rule without username)
   * lists a covering prefix (`demo/b1/`; `#` = all). The gateway's own clients are not bound by it.
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

export type BrokerConfig = z.output<typeof brokerSchema>;
export type BrokerUser = BrokerConfig['users'][number];
