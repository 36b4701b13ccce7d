/** The `api` section of the site file: where the HTTP API listens and how it defends itself. */
import { z } from 'zod';
import { duration } from '../platform/config-primitives.ts';

const rateLimit = (max: number) =>
  z.object({
    /** Requests allowed per window (0: no limit). */
    max: z.number().int().min(0).default(max),
    window: duration.default(60_000),
  });

export const apiSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Mark session cookies Secure (set when a TLS proxy fronts the gateway; implied by `tls`). */
  secureCookies: z.boolean().default(false),
  /** Serve HTTPS from these PEM files (`--tls` generates a self-signed pair into the data directory). */
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /** Strict-Transport-Security max-age when serving HTTPS (or behind a TLS proxy with secureCookies). */
  hstsMaxAge: duration.default(365 * 86_400_000),
  /**
   * Host names this gateway answers to (DNS rebinding defence). IP addresses and `localhost` are always
   * accepted; add the names people and proxies use, e.g. `gateway.example.com`. `*` accepts any.
   */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /** Other origins allowed to make changes (POST/PUT/...), e.g. `https://ops.example.com`; the gateway's own origin always is. */
  allowedOrigins: z.array(z.url()).default([]),
  /**
   * Trust X-Forwarded-For/-Proto/-Host from a reverse proxy: `true` (any hop; only when nothing else
   * can reach the gateway), addresses or CIDRs (`["127.0.0.1", "10.0.0.0/8"]`), or a hop count.
   * The client address used by rate limits and the audit log comes from here.
   */
  trustProxy: z.union([z.boolean(), z.string().min(1), z.array(z.string().min(1)), z.number().int().min(1)]).default(false),
  /** Requests per client address, and for the whole API (a flood from many addresses). */
  rateLimit: z
    .object({
      perAddress: rateLimit(3000).prefault({}),
      global: rateLimit(30_000).prefault({}),
    })
    .prefault({}),
});

export type ApiSettings = z.output<typeof apiSchema>;
