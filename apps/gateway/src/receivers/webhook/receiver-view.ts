import type { ReceiverConfig } from './receiver-config.js';
import { deliveryOutcomeView, redactUrl } from '../delivery/delivery-view.js';
import type { ReceiverStatus } from '../delivery/receiver-delivery.js';

/** The JSON of one receiver in GET /api/v1/receivers. */
export function receiverView(status: ReceiverStatus<ReceiverConfig>) {
  const { config, progress, lastFailedDelivery: failed } = status;
  return {
    name: config.name,
    url: redactUrl(config.url),
    filters: { minSeverity: config.minSeverity, clusters: config.clusters },
    headers: Object.keys(config.headers),
    // uint64 as a string, like the store's seq in JSON.
    cursor: String(progress.cursor),
    backlog: Number(status.backlog),
    ...deliveryOutcomeView(status),
    // The last failed delivery, under its JSON name.
    lastDeadLetter: failed
      ? {
          fromSeq: String(failed.fromSeq),
          toSeq: String(failed.toSeq),
          notifications: failed.notifications.length,
          statusCode: failed.status ?? null,
          error: failed.error,
          at: failed.at.toISOString(),
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
