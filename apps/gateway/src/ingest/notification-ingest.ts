import { Inject, Injectable } from '@nestjs/common';
import {
  ALERTING_CAPABILITY,
  NotificationProperty,
  goldenSignalOf,
  normalizeNotification,
  severityName,
  type GoldenSignalName,
  type NotificationLimits,
} from '@app/notification-model';
import type { alerting } from '@app/proto';
import { CLOCK, FailedPreconditionError, InvalidArgumentError, type Clock } from '@app/runtime';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import { NotificationBus } from '../notifications/live-feed/notification-bus.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../notifications/store/notification-store.js';
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
    private readonly clusters: ClusterRegistry,
  ) {}

  /**
   * Throws InvalidArgumentError (naming the field) for a notification that will never be accepted,
   * FailedPreconditionError while alerting is not enabled for the cluster (the agent keeps it queued).
   */
  async ingest(clusterId: string, notification: alerting.Notification): Promise<IngestResult> {
    // A push that crossed an uninstall in flight must not bring data back after it was purged.
    const config =
      this.clusters.cachedNodeConfig(clusterId, ALERTING_CAPABILITY) ??
      (await this.clusters.nodeConfig(clusterId, ALERTING_CAPABILITY));
    if (!config.enabled) {
      throw new FailedPreconditionError(`alerting is not installed for cluster ${clusterId}`);
    }
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
