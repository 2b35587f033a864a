import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@app/runtime';
import { GatewaySettings } from '../config/gateway-settings.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { AlertmanagerMetrics } from './alertmanager/alertmanager-metrics.js';
import { AlertmanagersController } from './alertmanager/alertmanagers.controller.js';
import { DeliveryLeaseMetrics } from './delivery/delivery-lease-metrics.js';
import { ReceiverMetrics } from './webhook/receiver-metrics.js';
import { loadTargetsFile } from './receivers-file.js';
import { ReceiversController } from './webhook/receivers.controller.js';
import { RECEIVER_CONFIGS, ReceiversService } from './receivers.service.js';
import { WebhookClient } from './webhook/webhook-client.js';

/**
 * Delivery targets: webhook receivers (Alertmanager's webhook format) and
 * Alertmanager targets (its /api/v2/alerts API): delivery loops that POST stored notifications, their durable cursors (the RECEIVER_PROGRESS_STORE
 * port, bound by StorageModule), metrics and the status API. Needs the Registry (MetricsModule),
 * the store ports (StorageModule) and GatewaySettings from the composition root.
 */
@Module({
  imports: [NotificationsModule],
  controllers: [ReceiversController, AlertmanagersController],
  providers: [
    ReceiversService,
    ReceiverMetrics,
    AlertmanagerMetrics,
    DeliveryLeaseMetrics,
    WebhookClient,
    {
      provide: RECEIVER_CONFIGS,
      inject: [GatewaySettings],
      // Validated already at start-up (the setting loads the file); this is the copy we run with.
      useFactory: (settings: GatewaySettings) => loadTargetsFile(settings.receiversFile),
    },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [ReceiversService],
})
export class ReceiversModule {}
