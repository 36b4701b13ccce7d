/**
 * Accounts from config: login with rate limiting, sessions, per-user language, audit of actions.
 * With no users configured the API runs open (every request acts as the local admin), which the
 * config check allows only when the API listens on a loopback address.
 */
import { createHash } from 'node:crypto';
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
  /** The buildings an operator or engineer is limited to (absent: the whole site). */
  readonly buildings?: readonly string[];
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
  /** Idle time after which a session ends (0 or absent: never). */
  readonly idleTimeout?: number;
  /** Failed logins per address, whatever the user name (absent: 4 × maxLoginAttempts). */
  readonly maxLoginAttemptsPerAddress?: number;
  /** How long audit rows are kept (absent: 5 years). */
  readonly auditRetention?: number;
}

/** A session's last use is written at most this often (a request per second must not mean a write per second). */
const TOUCH_EVERY_MS = 15_000;

export const LOCAL_ADMIN: AuthUser = { username: 'local', name: 'Local (no accounts configured)', role: 'admin' };

export class Accounts {
  readonly audit: AuditLog;
  private readonly users: Map<string, UserConfig>;
  private readonly sessions: SessionStore;
  private readonly limiter: LoginLimiter;
  private readonly addressLimiter: LoginLimiter;
  private readonly clock: Clock;
  private readonly idleTimeout: number;

  constructor(db: DatabaseSync, clock: Clock, options: AccountsOptions) {
    this.users = new Map(options.users.map((u) => [u.username, u]));
    this.sessions = new SessionStore(db, clock, options.sessionTtl);
    this.limiter = new LoginLimiter(clock, options.maxLoginAttempts, options.loginWindow);
    this.addressLimiter = new LoginLimiter(clock, options.maxLoginAttemptsPerAddress ?? 4 * options.maxLoginAttempts, options.loginWindow);
    this.audit = new AuditLog(db, clock, options.auditRetention);
    this.clock = clock;
    this.idleTimeout = options.idleTimeout ?? 0;
  }

  /**
   * The accounts of a reloaded config. Sessions of users whose password is unchanged continue; a
   * changed password or a removed account ends that user's sessions at their next use (the
   * session's credential no longer matches), a changed role or scope applies at the next request.
   */
  replaceUsers(users: readonly UserConfig[]): void {
    this.users.clear();
    for (const u of users) this.users.set(u.username, u);
  }

  /** True when no users are configured: the API is open (loopback only). */
  get open(): boolean {
    return this.users.size === 0;
  }

  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const key = `${username}\u0000${address}`;
    // per user and address (guessing one password), and per address alone (one password tried on many users)
    const wait = Math.max(this.limiter.retryAfter(key), this.addressLimiter.retryAfter(address));
    if (wait > 0) return { ok: false, reason: 'rate_limited', retryAfterMs: wait };
    const user = this.users.get(username);
    // verify against a dummy hash when the user is unknown, so timing does not reveal which names exist
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      this.limiter.failed(key);
      this.addressLimiter.failed(address);
      this.audit.record({ username, action: 'login_failed', address });
      return { ok: false, reason: 'bad_credentials' };
    }
    this.limiter.succeeded(key);
    const session = this.sessions.create(user.username, credentialOf(user));
    this.audit.record({ username: user.username, role: user.role, action: 'login', address });
    return { ok: true, user: toAuthUser(user), sessionId: session.id, expiresAt: session.expiresAt };
  }

  logout(sessionId: string, address?: string): void {
    const session = this.sessions.get(sessionId);
    this.sessions.destroy(sessionId);
    if (session) this.audit.record({ username: session.username, role: this.users.get(session.username)?.role, action: 'logout', address });
  }

  /**
   * The user of a live session, noting its use. A session ends when it expired, was idle too long,
   * its user is gone, or the user's password changed since it was opened (the site file's passwordHash).
   */
  userForSession(sessionId: string): AuthUser | undefined {
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    const user = this.users.get(session.username);
    const now = this.clock.now();
    if (!user || session.credential !== credentialOf(user)) {
      this.sessions.destroy(sessionId);
      this.audit.record({ username: session.username, action: 'session_revoked', detail: { reason: user ? 'password changed' : 'account removed' } });
      return undefined;
    }
    if (this.idleTimeout > 0 && now - session.lastSeen > this.idleTimeout) {
      this.sessions.destroy(sessionId);
      return undefined;
    }
    if (now - session.lastSeen >= TOUCH_EVERY_MS) this.sessions.touch(sessionId);
    return toAuthUser(user);
  }

  /** End every session of a user (e.g. after an administrator reset the password); audited. */
  revokeSessions(username: string, by: string): number {
    const n = this.sessions.destroyAllOf(username);
    this.audit.record({ username: by, action: 'sessions_revoked', target: username, detail: { sessions: n } });
    return n;
  }

  language(username: string): string | undefined {
    return this.sessions.language(username) ?? this.users.get(username)?.language;
  }

  setLanguage(username: string, language: string): void {
    this.sessions.setLanguage(username, language);
  }
}

/** Sessions remember which password they were opened with by this fingerprint (not the hash itself). */
function credentialOf(u: UserConfig): string {
  return createHash('sha256').update(`session-credential\u0000${u.passwordHash}`).digest('base64url').slice(0, 22);
}

function toAuthUser(u: UserConfig): AuthUser {
  return {
    username: u.username,
    name: u.name ?? u.username,
    role: u.role,
    ...(u.contractor ? { contractor: u.contractor } : {}),
    ...(u.buildings ? { buildings: [...u.buildings] } : {}),
  };
}

// scrypt of a random string; only used to spend the same time on unknown user names
const DUMMY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$2Pq0xVXq5t7o8GmE0YpQb2f0y7y0m3V1q9f0c0a0b0c=';
