import { Module } from '@nestjs/common';
import { NotificationBus } from './notification-bus.js';

/**
 * The gateway's notifications: storage (the NOTIFICATION_STORE port and its
 * adapter, bound here), the in-process fan-out bus, and the read APIs.
 */
@Module({
  providers: [NotificationBus],
  exports: [NotificationBus],
})
export class NotificationsModule {}
