/**
 * Accounts from config: login with rate limiting, sessions, per-user language, audit of actions.
 * With no users configured the API runs open (every request acts as the local admin), which the
 * config check allows only when the API listens on a loopback address.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../model/clock.ts';
import type { Role, UserConfig } from './account-schema.ts';
import { AuditLog } from './audit-log.ts';
import { LoginLimiter } from './login-limiter.ts';
import { verifyPassword } from './password-hash.ts';
import { SessionStore } from './session-store.ts';

export interface AuthUser {
  readonly username: string;
  readonly name: string;
  readonly role: Role;
  readonly contractor?: string;
  /** How the caller authenticated when not by a login session: a contractor API token. */
  readonly via?: 'token';
}

export type LoginResult =
  | { ok: true; user: AuthUser; sessionId: string; expiresAt: number }
  | { ok: false; reason: 'bad_credentials' }
  | { ok: false; reason: 'rate_limited'; retryAfterMs: number };

export interface AccountsOptions {
  readonly users: readonly UserConfig[];
  readonly sessionTtl: number;
  readonly maxLoginAttempts: number;
  readonly loginWindow: number;
}

export const LOCAL_ADMIN: AuthUser = { username: 'local', name: 'Local (no accounts configured)', role: 'admin' };

export class Accounts {
  readonly audit: AuditLog;
  private readonly users: Map<string, UserConfig>;
  private readonly sessions: SessionStore;
  private readonly limiter: LoginLimiter;

  constructor(db: DatabaseSync, clock: Clock, options: AccountsOptions) {
    this.users = new Map(options.users.map((u) => [u.username, u]));
    this.sessions = new SessionStore(db, clock, options.sessionTtl);
    this.limiter = new LoginLimiter(clock, options.maxLoginAttempts, options.loginWindow);
    this.audit = new AuditLog(db, clock);
  }

  /** True when no users are configured: the API is open (loopback only). */
  get open(): boolean {
    return this.users.size === 0;
  }

  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const key = `${username}\u0000${address}`;
    const wait = this.limiter.retryAfter(key);
    if (wait > 0) return { ok: false, reason: 'rate_limited', retryAfterMs: wait };
    const user = this.users.get(username);
    // verify against a dummy hash when the user is unknown, so timing does not reveal which names exist
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      this.limiter.failed(key);
      this.audit.record(username, 'login_failed', undefined, { address });
      return { ok: false, reason: 'bad_credentials' };
    }
    this.limiter.succeeded(key);
    const session = this.sessions.create(user.username);
    this.audit.record(user.username, 'login', undefined, { address });
    return { ok: true, user: toAuthUser(user), sessionId: session.id, expiresAt: session.expiresAt };
  }

  logout(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    this.sessions.destroy(sessionId);
    if (session) this.audit.record(session.username, 'logout');
  }

  userForSession(sessionId: string): AuthUser | undefined {
    const session = this.sessions.get(sessionId);
    const user = session ? this.users.get(session.username) : undefined;
    return user ? toAuthUser(user) : undefined;
  }

  language(username: string): string | undefined {
    return this.sessions.language(username) ?? this.users.get(username)?.language;
  }

  setLanguage(username: string, language: string): void {
    this.sessions.setLanguage(username, language);
  }
}

function toAuthUser(u: UserConfig): AuthUser {
  return { username: u.username, name: u.name ?? u.username, role: u.role, ...(u.contractor ? { contractor: u.contractor } : {}) };
}

// scrypt of a random string; only used to spend the same time on unknown user names
const DUMMY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$2Pq0xVXq5t7o8GmE0YpQb2f0y7y0m3V1q9f0c0a0b0c=';
