/**
 * What the embedded broker's hooks share: its options, the internal credential, who each client
 * logged in as and from where, the client-id bindings, the address limiter and the refusal counts.
 */
import type { Client } from 'aedes';
import type { Logger } from 'pino';
import { AddressLimiter } from './address-limiter.ts';
import type { BrokerIngest } from './broker-ingest.ts';
import type { BrokerConfig } from './broker-schema.ts';
import { ClientIdBinding } from './client-id-binding.ts';
import { internalCredential } from './internal-access.ts';
import { TopicAcl } from './topic-acl.ts';

export type BrokerOptions = Omit<BrokerConfig, 'enabled'> & { readonly enabled?: boolean };

export interface BrokerRefusals {
  /** Connections dropped for an oversized packet. */
  oversized: number;
  publish: number;
  subscribe: number;
  /** Connections closed on arrival: over `maxConnections`, over the per-address limit, or from a blocked address. */
  connections: number;
  /** Failed logins (bad or missing credentials, client id of another user). */
  auth: number;
  /** Clients disconnected because they did not read what was sent to them. */
  slowClients: number;
}

export interface BrokerState {
  readonly options: BrokerOptions;
  readonly log: Logger;
  readonly internal: { readonly username: string; readonly password: string };
  readonly acl: TopicAcl;
  /** The user each client logged in as (none without users). */
  readonly usernames: WeakMap<Client, string>;
  /** Clients of the internal listener: only the gateway's own credential is accepted there. */
  readonly internalOnly: WeakSet<Client>;
  readonly addresses: WeakMap<Client, string>;
  readonly bindings: ClientIdBinding;
  readonly limiter: AddressLimiter;
  readonly refusals: BrokerRefusals;
  readonly ingest: BrokerIngest;
}

export function createBrokerState(options: BrokerOptions, log: Logger, now: () => number, ingest: BrokerIngest): BrokerState {
  const internal = internalCredential();
  return {
    options,
    log,
    internal,
    acl: new TopicAcl(options.acl ?? []),
    usernames: new WeakMap<Client, string>(),
    internalOnly: new WeakSet<Client>(),
    addresses: new WeakMap<Client, string>(),
    bindings: new ClientIdBinding(internal.username),
    limiter: new AddressLimiter(
      {
        maxTotal: options.maxConnections,
        maxPerAddress: options.perAddress.maxConnections,
        maxAuthFailures: options.perAddress.maxAuthFailures,
        windowMs: options.perAddress.window,
        blockForMs: options.perAddress.blockFor,
      },
      now,
    ),
    refusals: { oversized: 0, publish: 0, subscribe: 0, connections: 0, auth: 0, slowClients: 0 },
    ingest,
  };
}

export function isInternalClient(state: BrokerState, client: Client | null): boolean {
  return client !== null && state.usernames.get(client) === state.internal.username;
}
