import { Inject, Injectable } from '@nestjs/common';
import {
  NotificationProperty,
  goldenSignalOf,
  normalizeNotification,
  severityName,
  type GoldenSignalName,
  type NotificationLimits,
} from '@app/notification';
import type { alerting } from '@app/proto';
import { CLOCK, InvalidArgumentError, type Clock } from '@app/runtime';
import { NotificationBus } from '../notifications/notification-bus.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../notifications/notification-store.js';
import { IngestMetrics } from './ingest-metrics.js';

export const GATEWAY_NOTIFICATION_LIMITS = Symbol('GatewayNotificationLimits');

export interface IngestResult {
  stored: alerting.StoredNotification;
  /** Already stored for this cluster and id (a retry): nothing new was written or published. */
  duplicate: boolean;
}

/**
 * What the gateway does with a pushed notification: validate it with the
 * shared model, stamp the session's authenticated cluster on it, store it
 * durably (deduplicated by cluster and id) and, when it is new, publish it to
 * the feeds and receivers. The caller resolves it at the agent only after this
 * resolves.
 */
@Injectable()
export class NotificationIngest {
  constructor(
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    private readonly bus: NotificationBus,
    private readonly metrics: IngestMetrics,
    @Inject(GATEWAY_NOTIFICATION_LIMITS) private readonly limits: NotificationLimits,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Throws InvalidArgumentError (naming the field) for a notification that will never be accepted. */
  async ingest(clusterId: string, notification: alerting.Notification): Promise<IngestResult> {
    let normalized;
    try {
      const id = notification.properties?.[NotificationProperty.uuid] ?? '';
      if (id.trim() === '') {
        throw new InvalidArgumentError(
          `notification.properties["${NotificationProperty.uuid}"]`,
          'is required: the id the agent resolves',
        );
      }
      // Identity comes from the session, never from the payload.
      normalized = normalizeNotification(notification, this.limits, 'notification', {
        [NotificationProperty.clusterId]: clusterId,
      });
    } catch (error) {
      this.metrics.rejected(clusterId, notification.properties?.[NotificationProperty.severity]);
      throw error;
    }
    const stamped = normalized.notification;
    const id = stamped.properties[NotificationProperty.uuid];
    const severity = severityName(normalized.severity);
    this.metrics.received(clusterId, severity);
    const result = await this.store.store({
      clusterId,
      id,
      notification: stamped,
      encoded: normalized.encoded,
      severity: normalized.severity,
      goldenSignal: goldenSignalOf(stamped.properties[NotificationProperty.goldenSignal] as GoldenSignalName),
      receivedAt: new Date(this.clock.now()),
    });
    if (result.duplicate) {
      this.metrics.deduplicated(clusterId, severity);
    } else {
      this.metrics.stored(clusterId, severity);
      this.bus.publish(result.stored);
    }
    return { stored: result.stored, duplicate: result.duplicate };
  }
}
