import { Module } from '@nestjs/common';
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
import { NotificationByIdController } from './query/notification-by-id.controller.js';
import { NotificationCountsController } from './query/notification-counts.controller.js';
import { NotificationQueryController } from './query/notification-query.controller.js';
import { NotificationsController } from './query/notifications.controller.js';
import {
  NotificationRetention,
  RETENTION_SCHEDULE,
  type RetentionSchedule,
} from './retention/notification-retention.js';
import { RetentionMetrics } from './retention/retention-metrics.js';

/**
 * The gateway's notifications: the NOTIFICATION_STORE port (store/; its
 * adapter is bound by StorageModule), the in-process fan-out bus and the live feed
 * with its SSE stream (live-feed/), the read APIs (query/: HTTP
 * /api/v1/notifications, its counts and one by id, gRPC alerting.NotificationQueryService
 * whose Watch reads the live feed) and retention (retention/). Ingest and receivers use the exported
 * bus. Needs GatewaySettings, the store ports (StorageModule) and a prom-client Registry (MetricsModule).
 */
@Module({
  controllers: [
    NotificationsController,
    NotificationsStreamController,
    NotificationCountsController,
    NotificationQueryController,
    // Last: its `:id` would answer for /counts and /stream were it registered before them.
    NotificationByIdController,
  ],
  providers: [
    NotificationBus,
    NotificationFeed,
    NotificationFeedMetrics,
    NotificationRetention,
    RetentionMetrics,
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
  exports: [NotificationBus],
})
export class NotificationsModule {}
