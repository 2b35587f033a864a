import type { ReceiverError, ReceiverStatus } from './receiver-delivery.js';

const REDACTED = '***';

/**
 * A receiver URL fit to show: user info and query values (where webhook
 * tokens often hide) are replaced with ***. Secrets belong in `headers`,
 * which are never shown.
 */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = REDACTED;
    parsed.password = '';
  }
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, REDACTED);
  return parsed.toString();
}

/** A target's (or peer's) last error in JSON; null when it has none. */
export function errorView(error: ReceiverError | undefined) {
  return error ? { message: error.message, statusCode: error.statusCode ?? null, at: error.at.toISOString() } : null;
}

/**
 * How a target's deliveries are going, as every target's JSON shows it (the
 * receivers' and the Alertmanager targets' views, in this key order). The
 * failed deliveries keep their JSON name, deadLettered.
 */
export function deliveryOutcomeView(status: ReceiverStatus) {
  const { progress } = status;
  return {
    state: status.state,
    consecutiveFailures: status.consecutiveFailures,
    lastSuccessAt: progress.lastSuccessAt?.toISOString() ?? null,
    lastError: errorView(status.lastError),
    delivered: progress.delivered,
    deadLettered: progress.undeliverable,
  };
}
