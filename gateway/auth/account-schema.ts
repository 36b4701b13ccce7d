import { z } from 'zod';
import { duration, identifier } from '../config/common-schema.ts';
import { isPasswordHash } from './password-hash.ts';
import { AUDIT_RETENTION_MS } from './audit-log.ts';

export const ROLES = ['operator', 'contractor', 'engineer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const userSchema = z.object({
  username: identifier,
  name: z.string().optional(),
  role: z.enum(ROLES),
  /** scrypt hash from `npm run gateway -- hash-password`; never a plain password. */
  passwordHash: z.string().refine(isPasswordHash, 'expected a scrypt hash made by `gateway hash-password`, not a plain password'),
  /** For contractor accounts: the contractor (work-order routing id) this login acts for. */
  contractor: identifier.optional(),
  language: z.enum(['zh-CN', 'en']).optional(),
  /**
   * Operators and engineers only: the buildings this account may see and act on (every list, the live
   * stream and every action honour it). Absent: the whole site.
   */
  buildings: z.array(identifier).min(1).optional(),
}).refine((u) => u.buildings === undefined || u.role === 'operator' || u.role === 'engineer', {
  message: 'buildings: only operator and engineer accounts are limited to buildings (admins see the site; contractors see their orders)',
  path: ['buildings'],
});
export type UserConfig = z.output<typeof userSchema>;

export const accountsSchema = z.object({
  users: z.array(userSchema).default([]),
  /** A session ends this long after login, whatever happens. */
  sessionTtl: duration.default(12 * 3_600_000),
  /**
   * A session ends after this long without a request (0: never). An open dashboard keeps its session
   * alive through its event stream: a control-room screen must not log out in the middle of a fire.
   */
  idleTimeout: duration.default(30 * 60_000),
  /** Failed logins allowed per user and address within `loginWindow` before 429. */
  maxLoginAttempts: z.number().int().min(1).default(5),
  /** Failed logins allowed per client address, whatever the user names (password spraying), within `loginWindow`. */
  maxLoginAttemptsPerAddress: z.number().int().min(1).default(20),
  loginWindow: duration.default(60_000),
  /** How long the audit log keeps its rows (service records: at least 5 years). */
  auditRetention: duration.default(AUDIT_RETENTION_MS),
});
