/**
 * The BACnet/IP stack (@bacnet-js/client, pure TypeScript, no native code). It is CommonJS whose
 * `exports.default` is the client class: Node's default import is the exports object, so the class
 * is taken from it here, once.
 */
import * as bacnet from '@bacnet-js/client';

type ClientClass = typeof bacnet.default.default;
export type BacnetClient = InstanceType<ClientClass>;
export type BacnetClientOptions = ConstructorParameters<ClientClass>[0];

const exported = bacnet.default as unknown as ClientClass | { readonly default: ClientClass };
const ClientCtor: ClientClass = typeof exported === 'function' ? exported : exported.default;

export function createBacnetClient(options: BacnetClientOptions): BacnetClient {
  return new ClientCtor(options);
}

/** BACnet application tags of the values the gateway reads and the simulator serves. */
export const APP_TAG = { NULL: 0, BOOLEAN: 1, UNSIGNED_INTEGER: 2, SIGNED_INTEGER: 3, REAL: 4, DOUBLE: 5, CHARACTER_STRING: 7, ENUMERATED: 9 } as const;

/** `host:port` (port 47808 when absent) as the stack's address, with a routed network when given. */
export function addressOf(hostPort: string, network?: { net: number; adr: readonly number[] }): { address: string; net?: number; adr?: number[] } {
  const address = hostPort.includes(':') ? hostPort : `${hostPort}:47808`;
  return network ? { address, net: network.net, adr: [...network.adr] } : { address };
}
