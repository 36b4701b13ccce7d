/**
 * The one catalogue of error codes the API answers with: a stable UPPER_CASE code and its HTTP
 * status. Every error body is `{ error: { code, message, details? } }` (`ErrorBody`). The domain
 * errors of rules/ and the demo (AlarmActionError, WorkOrderError, DemoFaultError) carry codes of this
 * catalogue, so the API passes them through unchanged; the checks at the bottom fail the typecheck
 * when a domain error names a code that is not here. The dashboard reads `ApiErrorCode` (type-only)
 * through gateway/api/contract.ts. The codes are listed in the README's API section.
 */
import type { AlarmActionError } from '../../rules/alarms/index.ts';
import type { WorkOrderError } from '../../rules/work-orders/index.ts';
import type { DemoFaultError } from '../demo/demo-faults.ts';

export const API_ERRORS = {
  /** The request is malformed: a body, query or path parameter failed its schema or a check (details name where). */
  BAD_REQUEST: 400,
  /** Not logged in (or the session / token expired). */
  UNAUTHORIZED: 401,
  /** Logged in, but the role (or building scope, or contractor) may not do this. */
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  /** The thing is not in a state that allows this (e.g. acknowledging a closed alarm). */
  CONFLICT: 409,
  /** The Host header names a host this gateway does not serve (api.allowedHosts). */
  MISDIRECTED: 421,
  TOO_MANY_REQUESTS: 429,
  /** A priority-1 or life-safety alarm that this user may not shelve (alarms.shelving). */
  SHELVE_NOT_ALLOWED: 403,
  /** A work order cannot be verified and closed while its source alarm is still active. */
  ALARM_STILL_ACTIVE: 409,
  /** The user's role does not hold the `command` permission (site file `commands.roles`). */
  COMMAND_NOT_ALLOWED: 403,
  /** A command to life-safety equipment the site does not allow (`commands.allowLifeSafety`). */
  LIFE_SAFETY_COMMAND: 403,
  /** The device's kind has no such command. */
  UNKNOWN_COMMAND: 404,
  /** The device's binding maps no write for the command (or its protocol cannot write). */
  COMMAND_NOT_MAPPED: 409,
  /** A command to the device is still waiting for its read-back. */
  COMMAND_IN_PROGRESS: 409,
  INTERNAL: 500,
  /** Not ready yet (e.g. the demo simulators are still starting). */
  UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The body of every error response. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details?: Record<string, unknown> };
}

/** Fails to compile when `T` is not `true`. */
type Check<T extends true> = T;
/** Every domain error code is a code of this catalogue. */
export type DomainCodesInCatalogue = Check<
  AlarmActionError['code'] extends ApiErrorCode ? (WorkOrderError['code'] extends ApiErrorCode ? (DemoFaultError['code'] extends ApiErrorCode ? true : false) : false) : false
>;
