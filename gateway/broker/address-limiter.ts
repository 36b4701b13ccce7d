/**
 * Connection and failed-login limits per remote address for the embedded broker: at most
 * `maxPerAddress` open connections from one address and `maxTotal` over all; an address with
 * `maxAuthFailures` failed logins within `windowMs` is blocked for `blockForMs` (its connections are
 * closed on arrival). Time comes from `now` (monotonic milliseconds).
 */
export interface AddressLimits {
  readonly maxTotal: number;
  readonly maxPerAddress: number;
  readonly maxAuthFailures: number;
  readonly windowMs: number;
  readonly blockForMs: number;
}

export type AdmitResult = 'ok' | 'total' | 'address' | 'blocked';

export class AddressLimiter {
  private readonly open = new Map<string, number>();
  private total = 0;
  private readonly failures = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  private readonly limits: AddressLimits;
  private readonly now: () => number;

  constructor(limits: AddressLimits, now: () => number) {
    this.limits = limits;
    this.now = now;
  }

  /** Admit a new connection from `address` (and count it) or say why not. */
  admit(address: string): AdmitResult {
    if (this.isBlocked(address)) return 'blocked';
    if (this.total >= this.limits.maxTotal) return 'total';
    const n = this.open.get(address) ?? 0;
    if (n >= this.limits.maxPerAddress) return 'address';
    this.open.set(address, n + 1);
    this.total++;
    return 'ok';
  }

  released(address: string): void {
    const n = this.open.get(address) ?? 0;
    if (n <= 1) this.open.delete(address);
    else this.open.set(address, n - 1);
    this.total = Math.max(0, this.total - 1);
  }

  isBlocked(address: string): boolean {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.blockedUntil.delete(address);
    return false;
  }

  /** Count a failed login; true when the address is now blocked. */
  authFailed(address: string): boolean {
    const now = this.now();
    const recent = (this.failures.get(address) ?? []).filter((t) => now - t < this.limits.windowMs);
    recent.push(now);
    this.failures.set(address, recent);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value as string);
    if (recent.length < this.limits.maxAuthFailures) return false;
    this.failures.delete(address);
    this.blockedUntil.set(address, now + this.limits.blockForMs);
    return true;
  }

  authSucceeded(address: string): void {
    this.failures.delete(address);
  }
}
