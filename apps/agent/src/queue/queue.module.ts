import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { notificationLimits } from '@app/notification-model';
import { CLOCK, systemClock } from '@app/runtime';
import { AgentSettings } from '../config/agent-settings.js';
import { NotificationQueue } from './notification-queue.js';
import { NOTIFICATION_LIMITS } from './notification-limits.token.js';
import { QueueController } from './queue.controller.js';
import { QUEUE_LIMITS, type QueueLimits } from './queue-limits.js';
import { QueueMetrics } from './queue-metrics.js';
import { QUEUE_STORE } from './queue-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';

/** The durable notification queue: index, storage adapter (SQLite, bound here), metrics, inspection API. */
@Module({
  controllers: [QueueController],
  providers: [
    NotificationQueue,
    QueueMetrics,
    {
      provide: QUEUE_STORE,
      inject: [AgentSettings],
      useFactory: (settings: AgentSettings) =>
        new SqliteQueueStore(join(settings.dataDir, 'queue.db'), settings.queueDurability),
    },
    {
      provide: QUEUE_LIMITS,
      inject: [AgentSettings],
      useFactory: (settings: AgentSettings): QueueLimits => ({
        maxCount: settings.queueMaxCount,
        maxBytes: settings.queueMaxBytes,
      }),
    },
    { provide: NOTIFICATION_LIMITS, inject: [AgentSettings], useFactory: notificationLimits },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [NotificationQueue],
})
export class QueueModule {}
