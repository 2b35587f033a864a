import { join } from 'node:path';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, systemClock } from '@app/runtime';
import { durationMs, GatewaySettings } from '../config/gateway-settings.js';
import { NotificationBus } from './live-feed/notification-bus.js';
import { NotificationFeedMetrics } from './live-feed/notification-feed-metrics.js';
import {
  DEFAULT_MAX_BACKLOG,
  FEED_OPTIONS,
  NotificationFeed,
  type FeedOptions,
} from './live-feed/notification-feed.js';
import { NotificationsStreamController } from './live-feed/notifications-stream.controller.js';
import { NotificationCountsController } from './query/notification-counts.controller.js';
import { NotificationQueryController } from './query/notification-query.controller.js';
import { NotificationsController } from './query/notifications.controller.js';
import {
  NotificationRetention,
  RETENTION_SCHEDULE,
  type RetentionSchedule,
} from './retention/notification-retention.js';
import { RetentionMetrics } from './retention/retention-metrics.js';
import { NOTIFICATION_STORE, type NotificationStore } from './store/notification-store.js';
import { SqliteNotificationStore } from './store/sqlite-notification-store.js';

/** The one place that picks the storage adapter, by the GATEWAY_NOTIFICATION_STORE setting. */
function createNotificationStore(settings: GatewaySettings): NotificationStore {
  switch (settings.notificationStore) {
    case 'sqlite':
      return new SqliteNotificationStore(join(settings.dataDir, 'notifications.db'), { commitOn: 'worker' });
  }
}

/**
 * The gateway's notifications: storage (store/: the NOTIFICATION_STORE port
 * and its adapter, bound here), the in-process fan-out bus and the live feed
 * with its SSE stream (live-feed/), the read APIs (query/: HTTP
 * /api/v1/notifications and its counts, gRPC alerting.NotificationQueryService
 * whose Watch reads the live feed) and retention (retention/). Ingest and receivers use the exported
 * store and bus. Needs GatewaySettings and a prom-client Registry (MetricsModule).
 */
@Module({
  controllers: [
    NotificationsController,
    NotificationsStreamController,
    NotificationCountsController,
    NotificationQueryController,
  ],
  providers: [
    NotificationBus,
    NotificationFeed,
    NotificationFeedMetrics,
    NotificationRetention,
    RetentionMetrics,
    { provide: NOTIFICATION_STORE, inject: [GatewaySettings], useFactory: createNotificationStore },
    {
      provide: RETENTION_SCHEDULE,
      inject: [GatewaySettings],
      useFactory: (settings: GatewaySettings): RetentionSchedule => ({
        policy: { maxAgeMs: durationMs(settings.retentionMaxAge), maxCount: settings.retentionMaxCount },
        intervalMs: durationMs(settings.retentionInterval),
      }),
    },
    {
      provide: FEED_OPTIONS,
      inject: [GatewaySettings],
      useFactory: (settings: GatewaySettings): FeedOptions => ({
        heartbeatMs: durationMs(settings.sseHeartbeat),
        maxBacklog: DEFAULT_MAX_BACKLOG,
      }),
    },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [NotificationBus, NOTIFICATION_STORE],
})
export class NotificationsModule implements OnApplicationShutdown {
  constructor(@Inject(NOTIFICATION_STORE) private readonly store: NotificationStore) {}

  /** Last: after the servers stopped taking calls and every module's onModuleDestroy ran. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
