/**
 * The embedded broker's login check: client id length, blocked addresses, the internal listener's
 * own credential, users (scrypt hashes or loopback-only plain passwords) and the client id bound to
 * the user that first used it. Every refusal is counted, logged and charged to the address.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { verifyPassword } from '../auth/password-hash.ts';
import type { BrokerState } from './broker-state.ts';

type Done = (e: AuthenticateError | null, ok: boolean | null) => void;

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  const want = Buffer.from(a);
  return want.length === b.length && timingSafeEqual(want, b);
}

function authError(returnCode: 2 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function refuse(state: BrokerState, client: Client, username: string | undefined, err: AuthenticateError, done: Done): void {
  state.refusals.auth++;
  const address = state.addresses.get(client) ?? 'unknown';
  const blocked = state.limiter.authFailed(address);
  state.log.warn({ clientId: client.id, username, remote: address, blocked }, `mqtt client refused: ${err.message}`);
  done(err, null);
}

async function checkUser(state: BrokerState, username: string | undefined, password: Buffer | undefined): Promise<boolean> {
  if (username === state.internal.username) return sameSecret(state.internal.password, password);
  if (state.options.users.length === 0) return true;
  const user = state.options.users.find((u) => u.username === username);
  if (!user || !password) return false;
  if (user.passwordHash !== undefined) return verifyPassword(password.toString('utf8'), user.passwordHash);
  return sameSecret(user.password ?? '', password);
}

export function brokerAuthenticate(state: BrokerState): NonNullable<AedesOptions['authenticate']> {
  const { options, internal, addresses, limiter, internalOnly, bindings, usernames } = state;
  return (client, username, password, done) => {
    if (client.id.length > options.maxClientsIdLength) {
      return refuse(state, client, username, authError(2, `client id longer than ${options.maxClientsIdLength} characters`), done);
    }
    const address = addresses.get(client) ?? 'unknown';
    if (limiter.isBlocked(address)) return refuse(state, client, username, authError(5, 'address blocked after repeated failed logins'), done);
    if (internalOnly.has(client) && username !== internal.username) {
      return refuse(state, client, username, authError(5, 'the internal listener serves only the gateway itself'), done);
    }
    checkUser(state, username, password).then(
      (ok) => {
        if (!ok) return refuse(state, client, username, authError(4, 'bad username or password'), done);
        const known = options.users.length > 0 || username === internal.username ? username : undefined;
        const taken = bindings.refusal(client.id, known);
        if (taken) return refuse(state, client, username, authError(2, taken), done);
        bindings.bind(client.id, known);
        if (known !== undefined) usernames.set(client, known);
        limiter.authSucceeded(address);
        return done(null, true);
      },
      (err: unknown) => refuse(state, client, username, authError(5, `password check failed: ${(err as Error).message}`), done),
    );
  };
}
