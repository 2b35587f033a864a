export interface BackoffPolicy {
  /** Delay before the first retry (ms). */
  initialMs: number;
  /** Longest delay (ms): the delay doubles per failure up to this cap. */
  maxMs: number;
}

/**
 * Delay before retry number `failures` (1 = after the first failure):
 * exponential, capped, with "equal jitter" — half the delay fixed, half random
 * — so that many clients cut off together do not come back in lock-step, yet
 * no retry comes back immediately.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
