/**
 * TLS settings of an outbound connection (MQTT broker, InfluxDB, SMTP): a CA bundle to trust
 * instead of the public roots, and a client certificate and key. Read once, at start-up; an
 * unreadable file is an error naming the setting and the file.
 */
import { z } from 'zod';

export const tlsClientSchema = z
  .object({
    /** PEM CA bundle trusted for the server's certificate (default: the public roots). */
    caFile: z.string().min(1).optional(),
    /** PEM client certificate, for servers that ask for one. */
    certFile: z.string().min(1).optional(),
    /** PEM private key of `certFile`. */
    keyFile: z.string().min(1).optional(),
    /** false accepts any server certificate: for a lab only, never on a site. */
    rejectUnauthorized: z.boolean().default(true),
  })
  .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), { message: 'certFile and keyFile go together' });

export type TlsClientConfig = z.output<typeof tlsClientSchema>;

export { tlsClientOptions, type TlsClientOptions } from './tls-client-options.ts';
