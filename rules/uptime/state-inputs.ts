/**
 * The narrow inputs, besides samples, that move a device's uptime state. Preventive work orders
 * and maintenance mode call the maintenance pair; anything that knows a device's link is down
 * (a connector's health, an alarm) may call `reportComms`. Samples alone already detect silence
 * (no good sample within the device's `offlineAfter`) and bad-quality data.
 *
 * `at` is epoch ms; it is clamped into [start of the device's open interval, now], so the
 * ledger never rewrites closed history nor records the future.
 */
export interface UptimeStateInputs {
  /** Planned downtime begins (idempotent: a second start while in maintenance is ignored). */
  startMaintenance(device: string, at: number, reason: string): void;
  /** Planned downtime ends; the device returns to whatever its samples say. */
  endMaintenance(device: string, at: number): void;
  /** An outside view of the device's link: `ok: false` holds it comms-lost until `ok: true`. */
  reportComms(device: string, at: number, ok: boolean, reason: string): void;
}

/** Thrown for an input naming a device the uptime module does not know. */
export class UnknownDeviceError extends Error {
  readonly device: string;
  constructor(device: string) {
    super(`uptime: no device "${device}"`);
    this.name = 'UnknownDeviceError';
    this.device = device;
  }
}
