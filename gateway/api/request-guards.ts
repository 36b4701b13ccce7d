/**
 * Checks on every request before access control:
 *
 * - Host allow-list (DNS rebinding): a page on `evil.example` whose name is re-pointed at the gateway's
 *   address sends `Host: evil.example`; only IP literals, `localhost` and `api.allowedHosts` are answered.
 * - Cross-site changes (CSRF): a state-changing request (any method but GET/HEAD/OPTIONS) that a
 *   browser marks `Sec-Fetch-Site: cross-site` or `same-site` (another port or subdomain of the same
 *   host is same-SITE, not same-origin), or whose `Origin` is not the gateway's own origin nor in
 *   `api.allowedOrigins`, is refused with 403. Clients that send neither header (curl, a contractor's
 *   system with its token) are not browsers and carry no ambient cookie of a victim.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';
import { isSafeMethod } from './route-access.ts';

export interface RequestGuardOptions {
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
}

/** The host name of a Host header value (`[::1]:8080` → `::1`, `Gateway.Example:443` → `gateway.example`). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return (colon === -1 ? h : h.slice(0, colon)).replace(/\.$/, '');
}

export function installRequestGuards(app: FastifyInstance, options: RequestGuardOptions): void {
  const hosts = new Set(options.allowedHosts.map((h) => hostName(h)));
  const anyHost = hosts.has('*');
  const origins = new Set(options.allowedOrigins.map((o) => new URL(o).origin));

  const hostAllowed = (request: FastifyRequest): boolean => {
    if (anyHost) return true;
    const name = hostName(request.host ?? '');
    return name === 'localhost' || isIP(name) !== 0 || hosts.has(name);
  };

  app.addHook('onRequest', async (request) => {
    if (!hostAllowed(request)) {
      throw new ApiError('MISDIRECTED', `host "${request.host}" is not served here; add it to api.allowedHosts if it is this gateway's name`);
    }
    if (isSafeMethod(request.method)) return;
    const fetchSite = header(request, 'sec-fetch-site');
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
      throw new ApiError('FORBIDDEN', `cross-site ${request.method} refused (Sec-Fetch-Site: ${fetchSite}); changes are accepted only from the gateway's own pages`);
    }
    const origin = header(request, 'origin');
    if (origin !== undefined) {
      const own = `${request.protocol}://${request.host}`.toLowerCase();
      let normalized: string;
      try {
        normalized = new URL(origin).origin;
      } catch {
        normalized = origin; // "null" (sandboxed frames, file:) and garbage: never allowed
      }
      if (normalized !== own && !origins.has(normalized)) {
        throw new ApiError('FORBIDDEN', `origin ${origin} may not ${request.method} here (the gateway is ${own}; see api.allowedOrigins)`);
      }
    }
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
