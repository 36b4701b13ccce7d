/** Delivery retries on the gateway's one backoff (gateway/platform/backoff.ts). */
import { backoffDelay as delayOf } from '../../gateway/platform/backoff.ts';

export interface BackoffPolicy {
  readonly initialBackoff: number;
  readonly maxBackoff: number;
  /** Share of each step drawn at random, below the step (0.2: 80 %…100 %). */
  readonly jitter: number;
}

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) attempts failed. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return delayOf(attempt - 1, { min: policy.initialBackoff, max: policy.maxBackoff, jitter: policy.jitter }, random);
}
