/**
 * TLS settings of an outbound connection (MQTT broker, InfluxDB, SMTP): a CA bundle to trust
 * instead of the public roots, and a client certificate and key. Read once, at start-up; an
 * unreadable file is an error naming the setting and the file.
 */
import { readFileSync } from 'node:fs';
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

export interface TlsClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

function readPem(file: string, what: string, where: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${where}.tls.${what}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Node TLS options from the settings; `where` names the config section in errors. */
export function tlsClientOptions(config: TlsClientConfig | undefined, where: string): TlsClientOptions | undefined {
  if (!config) return undefined;
  return {
    ...(config.caFile !== undefined ? { ca: readPem(config.caFile, 'caFile', where) } : {}),
    ...(config.certFile !== undefined ? { cert: readPem(config.certFile, 'certFile', where) } : {}),
    ...(config.keyFile !== undefined ? { key: readPem(config.keyFile, 'keyFile', where) } : {}),
    rejectUnauthorized: config.rejectUnauthorized,
  };
}
