/**
 * How the gateway's own clients (MQTT connectors, northbound alarms, the work-order channel) reach
 * the embedded broker: a credential generated at each start (never configured, never logged) and a
 * client id under the reserved prefix with a random part, so no other client can guess or take
 * over their ids and sessions.
 */
import { randomBytes } from 'node:crypto';
import { INTERNAL_CLIENT_PREFIX } from './client-id-binding.ts';

export interface InternalConnectOptions {
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

export interface EmbeddedBrokerAccess {
  /**
   * The listener the gateway's own clients use: the plain one when it is on loopback, otherwise one
   * of their own on 127.0.0.1 that accepts only the internal credential.
   */
  readonly internalUrl: string;
  /** Connection options for one internal client; `name` makes the id readable in logs. */
  connectOptions(name: string): InternalConnectOptions;
}

export function internalCredential(): { username: string; password: string } {
  return { username: `$gateway-${randomBytes(6).toString('hex')}`, password: randomBytes(32).toString('base64url') };
}

export function internalClientId(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32);
  return `${INTERNAL_CLIENT_PREFIX}${safe}-${randomBytes(6).toString('hex')}`;
}
