/**
 * The `commands:` section of a site file: which roles hold the `command` permission (none unless
 * granted: deny by default), whether commands to life-safety equipment are allowed at all (never
 * unless the site says so, for every such device or only the ones listed), and how long a write's
 * read-back may take to confirm it.
 */
import { z } from 'zod';
import { ROLES } from '../auth/account-schema.ts';
import { duration, identifier } from '../config/common-schema.ts';

export const commandSettingsSchema = z.strictObject({
  /** Roles granted the `command` permission; a contractor account is never granted it. */
  roles: z
    .array(z.enum(ROLES))
    .default([])
    .refine((r) => !r.includes('contractor'), { message: 'contractors cannot be granted the command permission' }),
  /** Commands to life-safety devices (fire panels, smoke detectors, kinds marked lifeSafety, commands marked lifeSafety): `false`, `true`, or these device ids only. */
  allowLifeSafety: z.union([z.boolean(), z.array(identifier)]).default(false),
  /** Time for the read-back to show the written value. */
  confirmTimeout: duration.default(5_000),
});

export type CommandSettings = z.output<typeof commandSettingsSchema>;
