import { Module } from '@nestjs/common';
import { notificationLimits } from '@app/notification-model';
import { CLOCK, systemClock } from '@app/runtime';
import { ClustersModule } from '../clusters/clusters.module.js';
import { GatewaySettings } from '../config/gateway-settings.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { IngestMetrics } from './ingest-metrics.js';
import { GATEWAY_NOTIFICATION_LIMITS, NotificationIngest } from './notification-ingest.js';
import { PushNotificationHandler } from './push-notification-handler.js';

/**
 * Pushed notifications in: alerting.PushNotificationService served on every
 * agent session (PushNotificationHandler, which Resolves each at the agent once
 * stored), the cluster's alerting gate, validation, identity stamping, durable
 * dedup storage, publication.
 */
@Module({
  imports: [NotificationsModule, ClustersModule, SessionsModule],
  providers: [
    NotificationIngest,
    PushNotificationHandler,
    IngestMetrics,
    { provide: GATEWAY_NOTIFICATION_LIMITS, inject: [GatewaySettings], useFactory: notificationLimits },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [NotificationIngest],
})
export class IngestModule {}
