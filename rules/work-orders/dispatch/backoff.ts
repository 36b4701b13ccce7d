/** Exponential backoff with jitter for delivery retries. */

export interface BackoffPolicy {
  readonly initialBackoff: number;
  readonly maxBackoff: number;
  /** ± share of the delay drawn at random (0.2: 80 %…120 %). */
  readonly jitter: number;
}

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) attempts failed. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoff, policy.initialBackoff * 2 ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}
