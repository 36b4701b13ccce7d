/**
 * Node TLS options from the TLS settings of an outbound connection (see tls-client.ts for the
 * schema). Apart from the schema so that the storage worker, which writes to InfluxDB over TLS but
 * validates no config, does not load zod.
 */
import { readFileSync } from 'node:fs';
import type { TlsClientConfig } from './tls-client.ts';

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
