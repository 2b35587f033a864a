import type { Logger } from '@nestjs/common';
import type { alerting } from '@app/proto';
import type { Clock } from '@app/runtime';
import type { FailedOutcome, RejectedNotification } from './delivery-integration.js';
import type { DeliveryOutcomes } from './delivery-outcomes.js';
import type { ProgressKeeper } from './progress-keeper.js';
import type { FailedDelivery } from './receiver-progress-store.js';

export interface FailedDeliveriesDeps {
  /** The target's name, as the logs give it. */
  name: string;
  maxAttempts: number;
  progress: ProgressKeeper;
  outcomes: DeliveryOutcomes;
  logger: Logger;
  clock: Clock;
}

/**
 * What one target's delivery gives up on: a batch rejected maxAttempts times,
 * or a notification the target refused on its own. Each is recorded with the
 * progress past it (durably, before the cursor moves on), counted and logged;
 * the last one is kept for the API.
 */
export class FailedDeliveries {
  last?: FailedDelivery;

  constructor(private readonly deps: FailedDeliveriesDeps) {}

  async giveUpOnBatch(batch: readonly alerting.StoredNotification[], outcome: FailedOutcome): Promise<void> {
    await this.record(batch, outcome.status, outcome.message);
    this.deps.logger.error(
      {
        event: 'receiver-dead-lettered',
        receiver: this.deps.name,
        notifications: batch.length,
        error: outcome.message,
      },
      `${this.deps.name}: gave up on ${batch.length} notifications after ${this.deps.maxAttempts} rejections (${outcome.message}); recorded as dead letters`,
    );
  }

  /** One notification the target refused on its own: recorded with the target's answer, the rest of its batch went on. */
  async giveUpOnNotification({ stored, status, message }: RejectedNotification): Promise<void> {
    await this.record([stored], status, message);
    this.deps.logger.error(
      {
        event: 'receiver-dead-lettered',
        receiver: this.deps.name,
        clusterId: stored.clusterId,
        id: stored.id,
        status,
        error: message,
      },
      `${this.deps.name} refused notification ${stored.clusterId}/${stored.id} (${message}); recorded as a dead letter`,
    );
  }

  private async record(
    notifications: readonly alerting.StoredNotification[],
    status: number | undefined,
    error: string,
  ): Promise<void> {
    const seqs = notifications.map((stored) => stored.seq);
    const failure: FailedDelivery = {
      fromSeq: seqs.reduce((a, b) => (b < a ? b : a)),
      toSeq: seqs.reduce((a, b) => (b > a ? b : a)),
      notifications: notifications.map(({ clusterId, id }) => ({ clusterId, id })),
      status,
      error,
      at: new Date(this.deps.clock.now()),
    };
    await this.deps.progress.recordFailedDelivery(failure, notifications.length);
    this.last = failure;
    this.deps.outcomes.counts.undeliverable += notifications.length;
  }
}
