import type { Logger } from '@nestjs/common';
import type { FailedOutcome } from './delivery-integration.js';

/**
 * `ok`: the last attempt succeeded (or none failed yet). `retrying`: recent
 * attempts failed in a way that usually passes (network, timeout, 408, 429,
 * 5xx). `failing`: FAILING_AFTER failures in a row, or the receiver rejects
 * what we send (other 3xx/4xx) — someone has to look.
 */
export type ReceiverState = 'ok' | 'retrying' | 'failing';
export const FAILING_AFTER = 5;

export interface ReceiverError {
  message: string;
  statusCode?: number;
  at: Date;
}

export interface DeliveryCounts {
  /** Batches sent (2xx) and attempts that failed. */
  successes: number;
  failures: number;
  /** Failed attempts followed by a retry. */
  retries: number;
  /** Notifications. */
  delivered: number;
  undeliverable: number;
  expired: number;
}

/**
 * What one target's attempts came to: the counters behind the metrics, the
 * failure streak behind its state, and the log lines that go with them.
 */
export class DeliveryOutcomes {
  readonly counts: DeliveryCounts = {
    successes: 0,
    failures: 0,
    retries: 0,
    delivered: 0,
    undeliverable: 0,
    expired: 0,
  };
  consecutiveFailures = 0;
  lastError?: ReceiverError;
  private lastFailure?: FailedOutcome;

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  state(): ReceiverState {
    if (this.consecutiveFailures === 0) return 'ok';
    if (this.lastFailure?.kind === 'rejected' || this.consecutiveFailures >= FAILING_AFTER) return 'failing';
    return 'retrying';
  }

  succeeded(): void {
    this.counts.successes++;
    const failuresBefore = this.consecutiveFailures;
    this.consecutiveFailures = 0;
    this.lastFailure = undefined;
    if (failuresBefore > 0) {
      this.logger.log(
        { event: 'receiver-recovered', receiver: this.name, failures: failuresBefore },
        `${this.name} accepts deliveries again after ${failuresBefore} failed attempts`,
      );
    }
  }

  failed(outcome: FailedOutcome, count: number): void {
    this.counts.failures++;
    this.consecutiveFailures++;
    this.lastFailure = outcome;
    this.lastError = { message: outcome.message, statusCode: outcome.status, at: new Date(this.now()) };
    const fields = {
      event: outcome.kind === 'rejected' ? 'receiver-rejected' : 'receiver-delivery-failed',
      receiver: this.name,
      status: outcome.status,
      error: outcome.message,
      notifications: count,
      consecutiveFailures: this.consecutiveFailures,
    };
    if (outcome.kind === 'rejected') {
      // Retrying will not fix this by itself: the URL, credentials or the receiver's expectations are wrong.
      this.logger.error(
        fields,
        `receiver ${this.name} rejected a delivery (${outcome.message}): check its configuration; retrying`,
      );
    } else {
      this.logger.warn(fields, `receiver ${this.name}: delivery failed (${outcome.message}); retrying`);
    }
  }

  expired(count: number, lifetimeMs: number): void {
    this.counts.expired += count;
    this.logger.warn(
      { event: 'receiver-expired', receiver: this.name, notifications: count },
      `${this.name}: ${count} notifications outlived their ${lifetimeMs} ms lifetime before they could be delivered; not sent`,
    );
  }
}
