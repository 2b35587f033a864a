import { join } from 'node:path';
import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { GatewaySettings } from '../config/gateway-settings.js';
import { LiveFeedMetrics } from './live-feed-metrics.js';
import { NotificationBus } from './notification-bus.js';
import { NOTIFICATION_STORE, type NotificationStore } from './notification-store.js';
import { NotificationsController, SSE_HEARTBEAT } from './notifications.controller.js';
import { SqliteNotificationStore } from './sqlite-notification-store.js';

/**
 * The gateway's notifications: storage (the NOTIFICATION_STORE port; the
 * SQLite adapter is bound here and only here), the in-process fan-out bus,
 * and the read APIs.
 */
@Module({
  controllers: [NotificationsController],
  providers: [
    NotificationBus,
    LiveFeedMetrics,
    {
      provide: NOTIFICATION_STORE,
      inject: [GatewaySettings],
      useFactory: (settings: GatewaySettings): NotificationStore =>
        new SqliteNotificationStore(join(settings.dataDir, 'notifications.db')),
    },
    { provide: SSE_HEARTBEAT, useValue: 15_000 },
  ],
  exports: [NotificationBus, NOTIFICATION_STORE],
})
export class NotificationsModule implements OnModuleDestroy {
  constructor(@Inject(NOTIFICATION_STORE) private readonly store: NotificationStore) {}

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }
}
