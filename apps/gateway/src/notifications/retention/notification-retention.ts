import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/runtime';
import { NOTIFICATION_STORE, type NotificationStore, type RetentionPolicy } from '../store/notification-store.js';
import { RetentionMetrics } from './retention-metrics.js';

/** What retention keeps and how often it runs. */
export interface RetentionSchedule {
  policy: RetentionPolicy;
  intervalMs: number;
}

export const RETENTION_SCHEDULE = Symbol('RetentionSchedule');

/** How many one run deleted, by reason. */
export interface PruneReport {
  age: number;
  count: number;
}

/**
 * Applies the retention policy to the notification store at start-up and then
 * on an interval: by age first, then by count (oldest first). Each deletion
 * is logged and counted (gateway_notifications_pruned_total).
 */
@Injectable()
export class NotificationRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NotificationRetention.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<PruneReport>;

  constructor(
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    @Inject(RETENTION_SCHEDULE) private readonly schedule: RetentionSchedule,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: RetentionMetrics,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: a large backlog (retention just lowered) must not hold up start-up; it prunes in chunks.
    void this.run();
    this.timer = setInterval(() => void this.run(), this.schedule.intervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running; // before the store closes
  }

  /** Applies the policy now; while a run is in progress, returns that run. Never rejects (failures are logged). */
  run(): Promise<PruneReport> {
    this.running ??= this.prune().finally(() => (this.running = undefined));
    return this.running;
  }

  private async prune(): Promise<PruneReport> {
    const { maxAgeMs, maxCount } = this.schedule.policy;
    const now = new Date(this.clock.now());
    const report: PruneReport = { age: 0, count: 0 };
    try {
      if (maxAgeMs > 0) {
        report.age = await this.store.prune({ maxAgeMs, maxCount: 0 }, now);
        this.metrics.prunedBy('age', report.age);
      }
      if (maxCount > 0) {
        report.count = await this.store.prune({ maxAgeMs: 0, maxCount }, now);
        this.metrics.prunedBy('count', report.count);
      }
    } catch (error) {
      this.logger.error({ event: 'notifications-prune-failed', err: error }, 'retention failed; it runs again later');
    }
    if (report.age + report.count > 0) {
      this.logger.log(
        { event: 'notifications-pruned', byAge: report.age, byCount: report.count, maxAgeMs, maxCount },
        `retention deleted ${report.age} notifications older than ${maxAgeMs} ms and ${report.count} beyond the newest ${maxCount}`,
      );
    }
    return report;
  }
}
