/**
 * The one retry backoff of every connector: capped exponential steps with "equal jitter" (a delay
 * drawn uniformly between half and all of the step), on the injected Clock with an injected random
 * source, so tests replay it exactly and a fleet of gateways does not retry in lock-step.
 */

export interface BackoffPolicy {
  /** First step (ms). */
  readonly min: number;
  /** Cap of any step (ms); a delay never exceeds it. */
  readonly max: number;
}

/** Delay before retry `attempt` (0-based): min·2^attempt capped at max, then between half and all of it. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const step = Math.min(policy.max, policy.min * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(step / 2 + (random() * step) / 2);
}

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
