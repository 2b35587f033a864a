import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

export const PRUNE_REASONS = ['age', 'count'] as const;
export type PruneReason = (typeof PRUNE_REASONS)[number];

/** What retention deleted from the notification store, by reason. */
@Injectable()
export class RetentionMetrics {
  private readonly pruned: Counter<'reason'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.pruned = new Counter({
      name: 'gateway_notifications_pruned_total',
      help: 'Stored notifications deleted by retention, by reason (age, count).',
      labelNames: ['reason'],
      registers: [registry],
    });
    // Every series from the start, so that dashboards and rate() see zeros rather than gaps.
    for (const reason of PRUNE_REASONS) this.pruned.inc({ reason }, 0);
  }

  prunedBy(reason: PruneReason, count: number): void {
    this.pruned.inc({ reason }, count);
  }
}
