/**
 * Building scopes: an operator or engineer account with `buildings: [...]` sees and acts only on those
 * buildings. Out-of-scope items are left out of lists and streams, and answered 404 when named (as if
 * they did not exist, so a scoped account learns nothing of other buildings); site-wide figures that
 * cannot be split by building are refused with 403.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/accounts.ts';
import { ApiError } from './api-error.ts';

export interface BuildingScope {
  /** True when the account sees the whole site. */
  readonly all: boolean;
  readonly buildings: ReadonlySet<string>;
  has(building: string | null | undefined): boolean;
}

const WHOLE_SITE: BuildingScope = { all: true, buildings: new Set(), has: () => true };

export function scopeOfUser(user: AuthUser | null): BuildingScope {
  if (!user?.buildings) return WHOLE_SITE;
  const buildings = new Set(user.buildings);
  return { all: false, buildings, has: (b) => b !== null && b !== undefined && buildings.has(b) };
}

export function scopeOf(request: FastifyRequest): BuildingScope {
  return scopeOfUser(request.user);
}

/** Refuse a site-wide figure to an account limited to buildings. */
export function requireWholeSite(request: FastifyRequest, what: string): void {
  if (!scopeOf(request).all) throw new ApiError('FORBIDDEN', `${what} covers the whole site; this account is limited to buildings ${[...scopeOf(request).buildings].join(', ')}`);
}

/** A query's building filter within the scope: out-of-scope buildings match nothing. */
export function scopedBuildingFilter(scope: BuildingScope, requested: string | undefined): { building?: string; none?: true } {
  if (requested !== undefined) return scope.has(requested) ? { building: requested } : { none: true };
  return {};
}
