/**
 * Access control, decided on the MATCHED route (route-access.ts), deny by default:
 *
 * 1. identify the caller: the HttpOnly session cookie, or, on routes declaring
 *    `bearer: 'contractor'`, a contractor API token (wrong tokens throttled per address);
 * 2. decide from `request.routeOptions.config.access`, the declaration of the route the router
 *    matched. The URL text is never looked at, so `/%61pi/devices`, `//api/devices` or `/API/devices`
 *    either match a route and get its rule or match none and are refused like any unknown path;
 * 3. no route matched: anonymous callers get 401 (as for an existing route, so unknown and known
 *    paths cannot be told apart without logging in); logged-in users get the 404.
 *
 * This runs in `onRequest`, before the body is even read. Refusals of logged-in users are audited;
 * every accepted change (any method but GET/HEAD/OPTIONS) is audited with its user, role and address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { LOCAL_ADMIN, type Accounts, type AuthUser } from '../auth/accounts.ts';
import { LoginLimiter } from '../auth/login-limiter.ts';
import type { Clock } from '../model/clock.ts';
import { ApiError } from './api-error.ts';
import { ACCESS, admits, isSafeMethod, type Access } from './route-access.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    /** The session id of a caller identified by session cookie (null otherwise). */
    sessionId: string | null;
  }
  interface FastifyInstance {
    /** Every registered route with its access declaration (for review and the route-walk test). */
    accessTable(): readonly RouteAccess[];
  }
}

export interface RouteAccess {
  readonly method: string;
  readonly url: string;
  readonly access: Access | undefined;
  readonly bearer: 'contractor' | undefined;
}

export const SESSION_COOKIE = 'fgw_session';

/**
 * The session cookie's name: with Secure cookies (HTTPS) the `__Host-` prefix, which browsers accept
 * only from a secure origin, with Path=/ and no Domain, so no other host or plain-HTTP page can plant
 * or overwrite it.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

export interface AccessControlOptions {
  readonly accounts: Accounts;
  readonly clock: Clock;
  /** The contractor owning an API token (work orders), when work orders are enabled. */
  readonly contractorToken?: (token: string) => Promise<string | undefined>;
  /** The session cookie's name (`__Host-fgw_session` over TLS). */
  readonly sessionCookie?: string;
}

/** Wrong contractor tokens allowed per address per minute before 429. */
const TOKEN_GUESSES = 10;

export function installAccessControl(app: FastifyInstance, options: AccessControlOptions): void {
  const { accounts } = options;
  const cookieName = options.sessionCookie ?? SESSION_COOKIE;
  const tokenGuesses = new LoginLimiter(options.clock, TOKEN_GUESSES, 60_000);
  app.decorateRequest('user', null);
  app.decorateRequest('sessionId', null);

  requireAccessDeclarations(app);

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    // no route matched: any logged-in user may learn that; anonymous callers get the same 401 as anywhere
    const access: Access | undefined = request.is404 ? ACCESS.anyUser : config.access;
    if (access === 'public') {
      request.user = identifySession(request);
      return;
    }
    request.user = config.bearer === 'contractor' && bearer(request) !== undefined ? await identifyToken(request, reply) : identifySession(request);
    const user = request.user;
    if (admits(access, user?.role ?? null)) return;
    if (!user) throw new ApiError('UNAUTHORIZED', 'log in first (POST /api/auth/login)');
    if (config.bearer === 'contractor' && user.role !== 'contractor') {
      throw new ApiError('UNAUTHORIZED', 'authorization: log in as a contractor or send "Bearer <contractor token>"');
    }
    const route = `${request.method} ${request.routeOptions.url ?? '(no route)'}`;
    accounts.audit.record({ username: user.username, role: user.role, address: request.ip, via: user.via, action: 'refused', target: route });
    const needs = access === undefined ? 'a declaration of who may call it' : access.join(' or ');
    throw new ApiError('FORBIDDEN', `role ${user.role} may not ${route}; needs ${needs}`);
  });

  function identifySession(request: FastifyRequest): AuthUser | null {
    if (accounts.open) return LOCAL_ADMIN;
    const sid = request.cookies[cookieName];
    const user = sid ? (accounts.userForSession(sid) ?? null) : null;
    if (user) request.sessionId = sid as string;
    return user;
  }

  async function identifyToken(request: FastifyRequest, reply: FastifyReply): Promise<AuthUser | null> {
    const token = bearer(request) as string;
    const key = `token\u0000${request.ip}`;
    const wait = tokenGuesses.retryAfter(key);
    if (wait > 0) {
      reply.header('retry-after', Math.ceil(wait / 1000));
      throw new ApiError('TOO_MANY_REQUESTS', `too many wrong contractor tokens from ${request.ip}; try again in ${Math.ceil(wait / 1000)} s`);
    }
    const id = options.contractorToken ? await options.contractorToken(token) : undefined;
    if (!id) {
      tokenGuesses.failed(key);
      throw new ApiError('UNAUTHORIZED', 'authorization: unknown or revoked contractor token');
    }
    tokenGuesses.succeeded(key);
    return { username: `contractor:${id}`, name: id, role: 'contractor', contractor: id, via: 'token' };
  }

  auditAcceptedChanges(app, accounts);
}

/** Deny by default, early: the app refuses to start with a route that declares nobody; `accessTable` lists every route's declaration. */
function requireAccessDeclarations(app: FastifyInstance): void {
  // Refuse to start with a route that declares nobody: deny by default is also checked here, early.
  // (read at ready time: the onRoute hooks of a route's own plugin run after this one and may declare it)
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    routes.push(route);
  });
  app.decorate('accessTable', () =>
    routes.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((method: string) => ({ method, url: r.url, access: r.config?.access, bearer: r.config?.bearer }))),
  );
  app.addHook('onReady', async () => {
    const undeclared = routes.filter((r) => r.config?.access === undefined).map((r) => `${String(r.method)} ${r.url}`);
    if (undeclared.length > 0) {
      throw new Error(`routes without an access declaration (config.access; see gateway/api/route-access.ts): ${undeclared.join(', ')}`);
    }
  });
}

function auditAcceptedChanges(app: FastifyInstance, accounts: AccessControlOptions['accounts']): void {
  // Every accepted change is audited with its user; decided on the matched route, like access.
  app.addHook('onResponse', async (request, reply) => {
    if (isSafeMethod(request.method) || request.is404 || request.routeOptions.config.audit === 'self') return;
    if (reply.statusCode >= 400 || !request.user) return;
    const params = request.params as Record<string, string | number> | undefined;
    accounts.audit.record({
      username: request.user.username,
      role: request.user.role,
      address: request.ip,
      via: request.user.via,
      action: `${request.method} ${request.routeOptions.url ?? request.url}`,
      target: params?.id === undefined ? undefined : String(params.id),
      detail: auditDetail(request.body),
    });
  });
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

const SECRET_KEYS = /pass|token|secret/i;

/** Longer strings (a signature image) are audited by their length, not their content. */
const MAX_AUDITED_STRING = 500;

function auditDetail(body: unknown): Record<string, unknown> | undefined {
  // an uploaded file (a photo) is audited by its size
  if (body instanceof Uint8Array) return { bytes: body.length };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '***' : v instanceof Uint8Array ? `(${v.length} bytes)` : typeof v === 'string' && v.length > MAX_AUDITED_STRING ? `(${v.length} characters)` : v]),
  );
}

/** The user of a request that passed access control (routes with access other than public). */
export function userOf(request: FastifyRequest): AuthUser {
  if (!request.user) throw new ApiError('UNAUTHORIZED', 'log in first (POST /api/auth/login)');
  return request.user;
}

/** Declare every route of a plugin scope public (third-party plugins: static files, /docs). */
export function declarePublic(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: route.config?.access ?? 'public' };
  });
}
