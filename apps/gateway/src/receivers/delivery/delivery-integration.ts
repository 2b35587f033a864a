import type { alerting } from '@app/proto';

/** The answer to one POST, whatever the integration. */
export type PostOutcome =
  | { ok: true; status: number }
  | {
      ok: false;
      /**
       * `transient`: network error, timeout, 408, 429, 5xx — likely to pass.
       * `rejected`: any other non-2xx (3xx, 4xx) — the receiver refuses what
       * or how we send (URL, credentials, payload): a configuration problem.
       */
      kind: 'transient' | 'rejected';
      status?: number;
      message: string;
      /** The receiver's Retry-After, when it sent one in seconds. */
      retryAfterMs?: number;
    };

export type FailedOutcome = PostOutcome & { ok: false };

/** A notification the target refused on its own (e.g. Alertmanager's 400 for an invalid label): given up on at once, not retried. */
export interface RejectedNotification {
  stored: alerting.StoredNotification;
  status?: number;
  message: string;
}

/**
 * `ok`: the batch is done; `rejected` lists the notifications of it that the
 * target refused individually (the rest were accepted). Otherwise the whole
 * batch failed and is retried (or given up on after maxAttempts rejections).
 */
export type SendOutcome = { ok: true; rejected: RejectedNotification[] } | FailedOutcome;

/** A batch encoded for the wire: prepared while the previous POST is still in flight. */
export interface PreparedBatch {
  readonly batch: readonly alerting.StoredNotification[];
  readonly body: string;
}

/**
 * What differs between kinds of delivery targets (webhook receivers,
 * Alertmanager targets): how a batch goes out. Cursors, batching, ordering,
 * pipelining, retries, failed deliveries and metrics are ReceiverDelivery's,
 * shared by all.
 */
export interface DeliveryIntegration {
  readonly kind: 'webhook' | 'alertmanager';
  /** Encodes one batch (CPU only, no I/O). */
  prepare(batch: readonly alerting.StoredNotification[]): PreparedBatch;
  /** Sends one prepared batch. Never throws for the target's failures; rejects only when `cancel` aborts. */
  send(prepared: PreparedBatch, cancel: AbortSignal): Promise<SendOutcome>;
  close?(): void;
}
