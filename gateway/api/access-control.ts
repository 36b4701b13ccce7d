/**
 * Access control for /api routes. Each route declares who may call it in its config:
 * `config: { access: 'public' | 'any' | Role[] }` (default `any`: any logged-in user). Admins may
 * call everything. The session comes from the HttpOnly `fgw_session` cookie.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../auth/account-schema.ts';
import { LOCAL_ADMIN, type Accounts, type AuthUser } from '../auth/accounts.ts';
import { ApiError } from './api-error.ts';

export type Access = 'public' | 'any' | readonly Role[];

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const SESSION_COOKIE = 'fgw_session';

export function installAccessControl(app: FastifyInstance, accounts: Accounts): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    if (accounts.open) {
      request.user = LOCAL_ADMIN;
      return;
    }
    const sid = request.cookies[SESSION_COOKIE];
    request.user = sid ? (accounts.userForSession(sid) ?? null) : null;
  });
  app.addHook('preHandler', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const access: Access = request.routeOptions.config.access ?? 'any';
    if (access === 'public') return;
    const user = request.user;
    if (!user) throw new ApiError('UNAUTHORIZED', 'log in first (POST /api/auth/login)');
    if (access === 'any' || user.role === 'admin' || access.includes(user.role)) return;
    throw new ApiError('FORBIDDEN', `role ${user.role} may not ${request.method} ${request.routeOptions.url ?? request.url}; needs ${access.join(' or ')}`);
  });
  // Every accepted change made through the API is audited with its user (logins are audited by Accounts).
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || !request.url.startsWith('/api/') || request.url.startsWith('/api/auth/')) return;
    if (reply.statusCode >= 400 || !request.user) return;
    const params = request.params as Record<string, string> | undefined;
    accounts.audit.record(request.user.username, `${request.method} ${request.routeOptions.url ?? request.url}`, params?.id, auditDetail(request.body));
  });
}

const SECRET_KEYS = /pass|token|secret/i;

function auditDetail(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '***' : v]));
}

/** The user of a request that passed access control (routes with access other than public). */
export function userOf(request: FastifyRequest): AuthUser {
  if (!request.user) throw new ApiError('UNAUTHORIZED', 'log in first (POST /api/auth/login)');
  return request.user;
}
