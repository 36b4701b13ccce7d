/**
 * Who may call a route: every route declares it in its config, `config: { access }`, and the access
 * hook (access-control.ts) decides from the route that MATCHED, never from the URL text. A route
 * without a declaration is refused (and the app refuses to start with one).
 *
 * - `'public'`: no login (log in, log out, the dashboard's static files, /docs, /metrics);
 * - a list of roles: only those roles. Admins are listed explicitly wherever they may call; they are
 *   left out of the contractor's own API, which acts as one contractor.
 *
 * `bearer: 'contractor'` additionally accepts a contractor API token (`Authorization: Bearer ...`);
 * the caller then acts as that contractor (role contractor).
 */
import { ROLES, type Role } from '../auth/account-schema.ts';

export type Access = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    bearer?: 'contractor';
    /** `self`: the handler writes its own audit row (login, logout); the generic change audit skips it. */
    audit?: 'self';
  }
}

/** The role groups routes declare. */
export const ACCESS = {
  public: 'public',
  /** Any logged-in user (contractors included): their own profile, the site's names, the event stream. */
  anyUser: ROLES,
  /** Reading telemetry, alarms, work orders and uptime: the control room and engineers. */
  staff: ['operator', 'engineer', 'admin'],
  /** Acting on alarms, devices and work orders. */
  operate: ['operator', 'admin'],
  /** A contractor's own work orders (session of a contractor account, or its API token). */
  contractor: ['contractor'],
  /** Administration: the audit log. */
  admin: ['admin'],
} as const satisfies Record<string, Access>;

/** True when `access` admits `role` (null: not logged in). */
export function admits(access: Access | undefined, role: Role | null): boolean {
  if (access === undefined) return false;
  if (access === 'public') return true;
  return role !== null && access.includes(role);
}

/** `GET` and friends change nothing; everything else is a change (audited, checked for cross-site origin). */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
