export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  initialMs: number;
  /** No delay exceeds this. */
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential,
 * capped, with "equal jitter" — a random point in the upper half of
 * [0, min(maxMs, initialMs · 2^(attempt-1))]. Half the delay is guaranteed, so a
 * receiver that is down is not hammered; the random half spreads the retries
 * of several gateways (or receivers) apart. `random` returns a value in [0, 1).
 * (No retry library is among our dependencies; this is all we need of one.)
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Seconds of a Retry-After header given as delta-seconds, in ms; undefined when absent or a date. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}
