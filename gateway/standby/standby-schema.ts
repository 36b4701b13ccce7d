/** `standby`: a warm-standby pair sharing a lease file (gateway/standby/README.md). */
import { z } from 'zod';
import { duration } from '../platform/config-primitives.ts';

export const standbySchema = z.strictObject({
  /** The lease file both gateways of the pair reach (a local path for two processes on one box, a shared disk otherwise). */
  leaseFile: z.string().min(1),
  /** This gateway's name in the pair; the two must differ. */
  node: z.string().min(1),
  /** How long a renewal holds: the standby takes over at most this long after the active one's last renewal. */
  ttl: duration.default(6_000),
  /** How often the lease is renewed (or, by the standby, tried). */
  renewEvery: duration.default(1_000),
});

export type StandbyConfig = z.output<typeof standbySchema>;
