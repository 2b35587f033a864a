import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/runtime';
import { GatewaySettings } from '../config/gateway-settings.js';
import { NotificationBus } from '../notifications/live-feed/notification-bus.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../notifications/store/notification-store.js';
import { AlertmanagerIntegration } from './alertmanager/alertmanager-integration.js';
import type { AlertmanagerTargetConfig } from './alertmanager/alertmanager-target-config.js';
import type { DeliveryIntegration } from './delivery/delivery-integration.js';
import { DeliveryLease } from './delivery/delivery-lease.js';
import { DELIVERY_LEASES, type DeliveryLeases } from './delivery/delivery-leases.js';
import type { ReceiverConfig } from './webhook/receiver-config.js';
import { ReceiverDelivery, type DeliveryConfig, type ReceiverStatus } from './delivery/receiver-delivery.js';
import { RECEIVER_PROGRESS_STORE, type ReceiverProgressStore } from './delivery/receiver-progress-store.js';
import type { DeliveryTargets } from './receivers-file.js';
import { WebhookClient } from './webhook/webhook-client.js';
import { WebhookIntegration } from './webhook/webhook-integration.js';

/** Injection token of the configured receivers and Alertmanager targets (from GATEWAY_RECEIVERS_FILE). */
export const RECEIVER_CONFIGS = Symbol('ReceiverConfigs');

/** An Alertmanager target's status: the delivery's, and each peer's. */
export type AlertmanagerStatus = ReceiverStatus<AlertmanagerTargetConfig> & {
  peers: ReturnType<AlertmanagerIntegration['peerStatuses']>;
};

/** Alertmanager targets keep their progress under this prefix: receiver names cannot contain ":". */
const ALERTMANAGER_PROGRESS_KEY = 'alertmanager:';

/** Runs one ReceiverDelivery per configured receiver, from application start to shutdown. */
@Injectable()
export class ReceiversService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReceiversService.name);
  private readonly deliveries = new Map<string, ReceiverDelivery<ReceiverConfig>>();
  private readonly alertmanagers = new Map<
    string,
    { delivery: ReceiverDelivery<AlertmanagerTargetConfig>; integration: AlertmanagerIntegration }
  >();
  private unsubscribe?: () => void;

  constructor(
    @Inject(RECEIVER_CONFIGS) private readonly configs: DeliveryTargets,
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    @Inject(RECEIVER_PROGRESS_STORE) private readonly progressStore: ReceiverProgressStore,
    @Inject(DELIVERY_LEASES) private readonly leases: DeliveryLeases,
    private readonly bus: NotificationBus,
    private readonly client: WebhookClient,
    private readonly settings: GatewaySettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { receivers, alertmanagers } = this.configs;
    if (receivers.length === 0 && alertmanagers.length === 0) return;

    // The newest seq: where a new target starts ("from": "end"), and the backlog's reference.
    const newest = (await this.store.list({ limit: 1 })).notifications[0];
    const head = newest?.seq ?? 0n;
    for (const config of receivers) {
      const integration = new WebhookIntegration(config, this.client, this.settings.externalUrl);
      this.deliveries.set(config.name, await this.delivery(config, config.name, integration, head));
    }
    for (const config of alertmanagers) {
      const integration = new AlertmanagerIntegration(config, this.settings.externalUrl, this.clock);
      const delivery = await this.delivery(config, ALERTMANAGER_PROGRESS_KEY + config.name, integration, head);
      this.alertmanagers.set(config.name, { delivery, integration });
    }
    const all = this.all();
    this.unsubscribe = this.bus.subscribe((stored) => {
      for (const delivery of all) delivery.wake(stored.seq);
    });
    for (const delivery of all) delivery.start();
  }

  private all(): ReceiverDelivery[] {
    return [...this.deliveries.values(), ...[...this.alertmanagers.values()].map(({ delivery }) => delivery)];
  }

  private async delivery<C extends DeliveryConfig>(
    config: C,
    progressKey: string,
    integration: DeliveryIntegration,
    head: bigint,
  ): Promise<ReceiverDelivery<C>> {
    let progress = await this.progressStore.load(progressKey);
    if (!progress) {
      progress = { cursor: config.from === 'beginning' ? 0n : head, delivered: 0, undeliverable: 0 };
      // Saved now, so that what is stored from here on is delivered even if we stop before the first POST.
      await this.progressStore.save(progressKey, progress);
    }
    this.logger.log(
      {
        event: 'receiver-started',
        receiver: config.name,
        kind: integration.kind,
        cursor: String(progress.cursor),
        head: String(head),
      },
      `${integration.kind} ${config.name} delivers after seq ${progress.cursor} (store head ${head})`,
    );
    return new ReceiverDelivery(config, progress, {
      store: this.store,
      progressStore: this.progressStore,
      integration,
      progressKey,
      clock: this.clock,
      head,
      // Replicas: one delivers each target; it releases the lease on stop, so another takes over at once.
      lease: new DeliveryLease(this.leases, progressKey, { clock: this.clock, logger: this.logger }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.all().map((delivery) => delivery.stop()));
    this.deliveries.clear();
    this.alertmanagers.clear();
  }

  /** Whether this replica delivers each target: webhook receivers, then Alertmanager targets. */
  leaseHolds(): { receiver: string; kind: DeliveryIntegration['kind']; held: boolean }[] {
    const held = (kind: DeliveryIntegration['kind']) => (delivery: ReceiverDelivery) => ({
      receiver: delivery.config.name,
      kind,
      held: delivery.status().leaseHeld,
    });
    return [
      ...[...this.deliveries.values()].map(held('webhook')),
      ...[...this.alertmanagers.values()].map(({ delivery }) => held('alertmanager')(delivery)),
    ];
  }

  /** Every Alertmanager target in configuration order. */
  alertmanagerStatuses(): AlertmanagerStatus[] {
    return [...this.alertmanagers.values()].map(({ delivery, integration }) => ({
      ...delivery.status(),
      peers: integration.peerStatuses(),
    }));
  }

  alertmanagerStatus(name: string): AlertmanagerStatus | undefined {
    const target = this.alertmanagers.get(name);
    return target && { ...target.delivery.status(), peers: target.integration.peerStatuses() };
  }

  /** Every webhook receiver in configuration order. */
  statuses(): ReceiverStatus<ReceiverConfig>[] {
    return [...this.deliveries.values()].map((delivery) => delivery.status());
  }

  status(name: string): ReceiverStatus<ReceiverConfig> | undefined {
    return this.deliveries.get(name)?.status();
  }
}
