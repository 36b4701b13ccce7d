/**
 * How the gateway's own clients (MQTT connectors, northbound alarms, the work-order channel) reach
 * the embedded broker: a credential generated at each start (never configured, never logged) and a
 * client id under the reserved prefix with a random part, so no other client can guess or take
 * over their ids and sessions.
 */
import { randomBytes } from 'node:crypto';
import { INTERNAL_CLIENT_PREFIX } from './client-id-binding.ts';

// The port's shape lives in gateway/platform (rules/ may depend on it); re-exported for existing importers.
export type { EmbeddedBrokerAccess, InternalConnectOptions } from '../platform/broker-access.ts';

export function internalCredential(): { username: string; password: string } {
  return { username: `$gateway-${randomBytes(6).toString('hex')}`, password: randomBytes(32).toString('base64url') };
}

export function internalClientId(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32);
  return `${INTERNAL_CLIENT_PREFIX}${safe}-${randomBytes(6).toString('hex')}`;
}
