/**
 * The connectors' retry sequence on the gateway's one backoff (`gateway/platform/backoff.ts`: capped
 * exponential steps, "equal jitter" by default, an injected random source); the caller waits each
 * delay on the Clock.
 */
import { backoffDelay, type BackoffPolicy } from '../../platform/backoff.ts';

export type { BackoffPolicy } from '../../platform/backoff.ts';

/** A retry sequence: `next()` gives the next delay, `reset()` starts again from `min`. */
export class Backoff {
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;
  private attempt = 0;

  constructor(policy: BackoffPolicy, random: () => number) {
    if (!(policy.min > 0) || policy.max < policy.min) throw new RangeError(`backoff needs 0 < min <= max, got min ${policy.min}, max ${policy.max}`);
    this.policy = policy;
    this.random = random;
  }

  next(): number {
    return backoffDelay(this.attempt++, this.policy, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }

  /** Retries since the last reset. */
  get attempts(): number {
    return this.attempt;
  }
}
