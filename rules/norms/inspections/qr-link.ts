/**
 * The check-in link printed as a QR code on each device: `<base>/#/patrol/<device>/<sig>`, where
 * `sig` is an HMAC of the device id under the site's secret QR key. A patrol checks in at a device
 * only with its signature, i.e. by having scanned the label on the spot.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

export function loadQrKey(db: DatabaseSync): Buffer {
  const row = db.prepare("SELECT value FROM norms_secret WHERE name = 'qr-key'").get() as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'base64');
  const key = randomBytes(32);
  db.prepare("INSERT OR IGNORE INTO norms_secret (name, value) VALUES ('qr-key', ?)").run(key.toString('base64'));
  const again = db.prepare("SELECT value FROM norms_secret WHERE name = 'qr-key'").get() as { value: string };
  return Buffer.from(again.value, 'base64');
}

export class QrSigner {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    this.key = key;
  }

  sign(device: string): string {
    return createHmac('sha256', this.key).update(`device:${device}`).digest('base64url').slice(0, 22);
  }

  verify(device: string, sig: string): boolean {
    const want = Buffer.from(this.sign(device));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** The path of the device's check-in page (relative to the dashboard's origin). */
  path(device: string): string {
    return `/#/patrol/${encodeURIComponent(device)}/${this.sign(device)}`;
  }
}
