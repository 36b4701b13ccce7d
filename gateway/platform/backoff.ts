/**
 * The one retry backoff of the gateway (connector reconnects, work-order deliveries): capped
 * exponential steps with jitter, drawn from an injected random source so tests replay it exactly
 * and a fleet does not retry in lock-step. Pure; the caller waits the delay on its Clock.
 *
 *   step  = min(max, min · 2^attempt)
 *   delay = step · (1 − jitter) + step · jitter · random()      (jitter 0.5 = "equal jitter")
 *
 * A delay never exceeds `max`. Imports nothing of ours.
 */

export interface BackoffPolicy {
  /** First step (ms). */
  readonly min: number;
  /** Cap of any step (ms). */
  readonly max: number;
  /** Share of each step drawn at random, below the step: 0.5 (default) gives half to all of it, 0.2 gives 80–100 %. */
  readonly jitter?: number;
}

/** Delay before retry `attempt` (0-based). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const step = Math.min(policy.max, policy.min * 2 ** Math.min(Math.max(0, attempt), 30));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.5));
  return Math.round(step * (1 - jitter) + step * jitter * random());
}
