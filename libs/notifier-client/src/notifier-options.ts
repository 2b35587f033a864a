import type { BackoffPolicy } from '@app/client-runtime';
import type { AgentUnreachableError } from './notifier-errors.js';

/** How long and how often a notification is retried while the agent cannot be reached. */
export interface NotifierRetryPolicy extends BackoffPolicy {
  /** Most calls of Notify per notification, the first included (1: no retry; Infinity: only maxElapsedMs limits). */
  maxAttempts: number;
  /** No retry starts later than this after the first call (ms), and no call runs past it (Infinity: only maxAttempts limits). */
  maxElapsedMs: number;
}

/** What NotifierClient and NotifierModule are configured with. */
export interface NotifierOptions {
  /** host:port of the agent's local gRPC port (AGENT_GRPC_PORT, 9190 by default). */
  agentAddress: string;
  /** Longest wait for the agent's answer to one call of Notify (ms). */
  timeoutMs?: number;
  /** Retries of UNAVAILABLE and DEADLINE_EXCEEDED; unset fields take DEFAULT_RETRY_POLICY's. */
  retry?: Partial<NotifierRetryPolicy>;
  /** Told about every retry before its wait, e.g. to log that the agent is unreachable. */
  onRetry?: (retry: NotifyRetry) => void;
  /** TLS to an agent that serves it (AGENT_TLS_CERT_FILE): the CA (PEM) its certificate chains to. Absent: plain text. */
  tls?: { caPem: string | Buffer };
}

/** A call that failed in a way worth retrying, and when the next one starts. */
export interface NotifyRetry {
  /** Why the call failed; its notificationId is the id every attempt carries, its attempts the calls made so far. */
  error: AgentUnreachableError;
  delayMs: number;
}

export const DEFAULT_TIMEOUT_MS = 5_000;

/** Rides out an agent restart (seconds) without holding a caller for long: ≤ 5 calls within 30 s. */
export const DEFAULT_RETRY_POLICY: NotifierRetryPolicy = {
  initialMs: 200,
  maxMs: 5_000,
  maxAttempts: 5,
  maxElapsedMs: 30_000,
};

/** NotifierOptions with every default applied, checked. */
export interface ResolvedNotifierOptions {
  agentAddress: string;
  timeoutMs: number;
  retry: NotifierRetryPolicy;
  onRetry?: (retry: NotifyRetry) => void;
  tls?: { caPem: string | Buffer };
}

function positive(name: string, value: number): void {
  if (!(value > 0)) throw new RangeError(`NotifierOptions.${name} must be greater than 0; got ${value}`);
}

/** Applies the defaults; throws RangeError for options that cannot work (an empty address, an unbounded retry). */
export function resolveNotifierOptions(options: NotifierOptions): ResolvedNotifierOptions {
  const agentAddress = options.agentAddress?.trim() ?? '';
  if (agentAddress === '') throw new RangeError('NotifierOptions.agentAddress is required (host:port)');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  positive('timeoutMs', timeoutMs);
  positive('retry.initialMs', retry.initialMs);
  positive('retry.maxElapsedMs', retry.maxElapsedMs);
  if (retry.maxMs < retry.initialMs) {
    throw new RangeError(
      `NotifierOptions.retry.maxMs (${retry.maxMs}) must be at least retry.initialMs (${retry.initialMs})`,
    );
  }
  if (!(retry.maxAttempts >= 1))
    throw new RangeError(`NotifierOptions.retry.maxAttempts must be at least 1; got ${retry.maxAttempts}`);
  if (retry.maxAttempts === Infinity && retry.maxElapsedMs === Infinity) {
    throw new RangeError('NotifierOptions.retry needs a budget: maxAttempts or maxElapsedMs must be finite');
  }
  return { agentAddress, timeoutMs, retry, onRetry: options.onRetry, tls: options.tls };
}
