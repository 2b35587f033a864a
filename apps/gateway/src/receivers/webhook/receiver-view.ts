import type { ReceiverConfig } from './receiver-config.js';
import type { ReceiverStatus } from '../delivery/receiver-delivery.js';

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

/** The JSON of one receiver in GET /api/v1/receivers. */
export function receiverView(status: ReceiverStatus<ReceiverConfig>) {
  const { config, progress, lastError, lastDeadLetter } = status;
  return {
    name: config.name,
    url: redactUrl(config.url),
    filters: { minSeverity: config.minSeverity, clusters: config.clusters },
    headers: Object.keys(config.headers),
    // uint64 as a string, like the store's seq in JSON.
    cursor: String(progress.cursor),
    backlog: Number(status.backlog),
    state: status.state,
    consecutiveFailures: status.consecutiveFailures,
    lastSuccessAt: progress.lastSuccessAt?.toISOString() ?? null,
    lastError: lastError
      ? { message: lastError.message, statusCode: lastError.statusCode ?? null, at: lastError.at.toISOString() }
      : null,
    delivered: progress.delivered,
    deadLettered: progress.deadLettered,
    lastDeadLetter: lastDeadLetter
      ? {
          fromSeq: String(lastDeadLetter.fromSeq),
          toSeq: String(lastDeadLetter.toSeq),
          notifications: lastDeadLetter.notifications.length,
          statusCode: lastDeadLetter.status ?? null,
          error: lastDeadLetter.error,
          at: lastDeadLetter.at.toISOString(),
        }
      : null,
    settings: {
      batchSize: config.batchSize,
      timeoutMs: config.timeoutMs,
      backoffInitialMs: config.backoffInitialMs,
      backoffMaxMs: config.backoffMaxMs,
      maxAttempts: config.maxAttempts,
      pollIntervalMs: config.pollIntervalMs,
      from: config.from,
    },
  };
}

export type ReceiverView = ReturnType<typeof receiverView>;
