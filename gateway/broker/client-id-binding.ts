/**
 * Client ids bound to the user that first used them, for as long as the broker runs (its sessions
 * live in memory as long): another user (or an anonymous client) cannot take over the id, and with
 * it the session, of someone else. Ids with the reserved prefix belong to the gateway's own clients.
 */
export const INTERNAL_CLIENT_PREFIX = 'gateway-internal-';

export class ClientIdBinding {
  private readonly owners = new Map<string, string>();

  private readonly internalUser: string;

  constructor(internalUser: string) {
    this.internalUser = internalUser;
  }

  /** Why `user` (undefined = anonymous) may not use `clientId`, or undefined when it may. */
  refusal(clientId: string, user: string | undefined): string | undefined {
    const who = user ?? '';
    if (clientId.startsWith(INTERNAL_CLIENT_PREFIX) && who !== this.internalUser) return `client id prefix ${INTERNAL_CLIENT_PREFIX} is reserved for the gateway`;
    const owner = this.owners.get(clientId);
    if (owner !== undefined && owner !== who) return 'client id belongs to another user';
    return undefined;
  }

  bind(clientId: string, user: string | undefined): void {
    this.owners.set(clientId, user ?? '');
  }

  /** A clean-session client leaves nothing behind: its id is free again. */
  release(clientId: string): void {
    this.owners.delete(clientId);
  }
}
