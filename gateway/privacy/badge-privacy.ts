/**
 * Residents' badge ids (access_door.last_badge) are personal data. By default they are
 * pseudonymised where they enter the gateway: a keyed HMAC-SHA256 (`badge:<16 hex>`), so the same
 * badge keeps the same pseudonym (events can be correlated) but the id cannot be read back from
 * telemetry, history, the live stream or InfluxDB. The key is generated on first start into
 * `<dataDir>/badge-pseudonym.key` (mode 0600) and never leaves the box.
 *
 * With `privacy.badges: clear` (an admin decision in the site file) badge ids are kept in clear, and
 * the API shows them in clear only to roles listed in `privacy.residentsDataRoles` (the
 * `residents-data` permission); every other role sees the pseudonym.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from '../auth/account-schema.ts';
import type { PointValue, Sample, SampleSink } from '../model/sample.ts';
import { isDurableSink, type DurableSampleSink } from '../bus/sample-bus.ts';

export const privacySchema = z.object({
  /** `pseudonymised` (default): badge ids are replaced by a keyed hash where they enter; `clear`: kept as read. */
  badges: z.enum(['pseudonymised', 'clear']).default('pseudonymised'),
  /** Roles with the `residents-data` permission: they see clear badge ids (only with `badges: clear`). */
  residentsDataRoles: z.array(z.enum(ROLES)).default(['admin']),
});
export type PrivacyConfig = z.output<typeof privacySchema>;

export const BADGE_KEY_FILE = 'badge-pseudonym.key';

/** The pseudonymisation key, generated (32 random bytes) on first start. */
export function loadBadgeKey(dataDir: string): Buffer {
  const file = join(dataDir, BADGE_KEY_FILE);
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the badge pseudonym key ${file}: ${(err as Error).message}`);
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // another process made it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    throw err;
  }
}

/** Keeps the type of the value it is given (a null stays null). */
export type ValueMask = <V extends PointValue | null>(device: string, point: string, value: V) => V;

export class BadgePrivacy {
  private readonly key: Buffer;
  private readonly config: PrivacyConfig;
  private readonly isBadge: (device: string, point: string) => boolean;

  constructor(key: Buffer, config: PrivacyConfig, badgeDevices: Iterable<string>) {
    this.key = key;
    this.config = config;
    const doors = new Set(badgeDevices);
    this.isBadge = (device, point) => point === 'last_badge' && doors.has(device);
  }

  pseudonym(badge: PointValue): string {
    return `badge:${createHmac('sha256', this.key).update(String(badge)).digest('hex').slice(0, 16)}`;
  }

  private readonly mask: ValueMask = <V extends PointValue | null>(device: string, point: string, value: V): V => {
    // no badge yet ('') is not personal data: it stays as it is
    if (value === null || value === '' || !this.isBadge(device, point)) return value;
    return this.pseudonym(value) as V;
  };

  /** The sink connectors push into: badge ids pseudonymised first, unless `badges: clear`. */
  ingest(next: SampleSink): SampleSink {
    if (this.config.badges === 'clear') return next;
    const masked = (batch: readonly Sample[]): readonly Sample[] =>
      batch.some((s) => this.isBadge(s.device, s.point)) ? batch.map((s) => (this.isBadge(s.device, s.point) ? { ...s, value: this.mask(s.device, s.point, s.value) } : s)) : batch;
    // A durable sink stays durable through the mask: an acknowledgement must still wait for the commit.
    if (isDurableSink(next)) {
      const durable: DurableSampleSink = { push: (batch) => next.push(masked(batch)), pushDurable: (batch) => next.pushDurable(masked(batch)) };
      return durable;
    }
    return { push: (batch: readonly Sample[]) => next.push(masked(batch)) };
  }

  /** What the API applies to values for `role`: undefined when the role may see what is stored. */
  maskFor(role: Role | undefined): ValueMask | undefined {
    if (this.config.badges !== 'clear') return undefined; // stored pseudonymised already
    if (role !== undefined && this.config.residentsDataRoles.includes(role)) return undefined;
    return this.mask;
  }
}
