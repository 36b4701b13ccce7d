import { API_ERRORS, type ApiErrorCode } from './error-catalogue.ts';

export { API_ERRORS, type ApiErrorCode, type ErrorBody } from './error-catalogue.ts';

/** An error the API answers with: a code of the catalogue (error-catalogue.ts), its status, a message naming what was wrong. */
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
