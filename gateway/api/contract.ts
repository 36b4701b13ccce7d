/**
 * The API contract: the types of request and response bodies, derived from the route zod schemas
 * (`z.infer`), and the error catalogue's codes. The dashboard imports types from here only, and
 * only with `import type` (eslint.config.js): nothing of the gateway runs in the browser.
 */
export type { ApiErrorCode, ErrorBody } from './error-catalogue.ts';
