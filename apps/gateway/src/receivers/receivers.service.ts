import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/runtime';
import { GatewaySettings } from '../config/gateway-settings.js';
import { NotificationBus } from '../notifications/notification-bus.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../notifications/notification-store.js';
import type { ReceiverConfig } from './receiver-config.js';
import { ReceiverDelivery, type ReceiverStatus } from './receiver-delivery.js';
import { RECEIVER_PROGRESS_STORE, type ReceiverProgressStore } from './receiver-progress-store.js';
import { WebhookClient } from './webhook-client.js';

/** Injection token of the configured receivers (from GATEWAY_RECEIVERS_FILE). */
export const RECEIVER_CONFIGS = Symbol('ReceiverConfigs');

/** Runs one ReceiverDelivery per configured receiver, from application start to shutdown. */
@Injectable()
export class ReceiversService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReceiversService.name);
  private readonly deliveries = new Map<string, ReceiverDelivery>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(RECEIVER_CONFIGS) private readonly configs: ReceiverConfig[],
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    @Inject(RECEIVER_PROGRESS_STORE) private readonly progressStore: ReceiverProgressStore,
    private readonly bus: NotificationBus,
    private readonly client: WebhookClient,
    private readonly settings: GatewaySettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.configs.length === 0) return;
    const store = this.store;

    // The newest seq: where a new receiver starts ("from": "end"), and the backlog's reference.
    const newest = (await store.list({ limit: 1 })).notifications[0];
    const head = newest?.seq ?? 0n;
    for (const config of this.configs) {
      let progress = await this.progressStore.load(config.name);
      if (!progress) {
        progress = { cursor: config.from === 'beginning' ? 0n : head, delivered: 0, deadLettered: 0 };
        // Saved now, so that what is stored from here on is delivered even if we stop before the first POST.
        await this.progressStore.save(config.name, progress);
      }
      const delivery = new ReceiverDelivery(config, progress, {
        store,
        progressStore: this.progressStore,
        client: this.client,
        clock: this.clock,
        externalURL: this.settings.externalUrl,
        head,
      });
      this.deliveries.set(config.name, delivery);
      this.logger.log(
        { event: 'receiver-started', receiver: config.name, cursor: String(progress.cursor), head: String(head) },
        `receiver ${config.name} delivers after seq ${progress.cursor} (store head ${head})`,
      );
    }
    this.unsubscribe = this.bus.subscribe((stored) => {
      for (const delivery of this.deliveries.values()) delivery.wake(stored.seq);
    });
    for (const delivery of this.deliveries.values()) delivery.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.deliveries.values()].map((delivery) => delivery.stop()));
    this.deliveries.clear();
    await this.progressStore.close();
  }

  /** Every receiver in configuration order. */
  statuses(): ReceiverStatus[] {
    return [...this.deliveries.values()].map((delivery) => delivery.status());
  }

  status(name: string): ReceiverStatus | undefined {
    return this.deliveries.get(name)?.status();
  }
}
