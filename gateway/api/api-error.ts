/** The catalogue of API errors: a stable code, its HTTP status, and a message naming what was wrong. */

export const API_ERRORS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
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
  UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ApiErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = API_ERRORS[code];
    this.details = details;
  }
}

/** The body of every error response. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details?: Record<string, unknown> };
}
