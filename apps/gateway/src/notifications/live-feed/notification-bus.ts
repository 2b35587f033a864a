import { Injectable, Logger } from '@nestjs/common';
import type { alerting } from '@app/proto';

export type NotificationListener = (stored: alerting.StoredNotification) => void;

/**
 * Fan-out of newly stored notifications inside the gateway: the live feeds
 * (SSE, gRPC Watch) and the receivers subscribe; ingest publishes each
 * notification once, after it is durably stored and only if it was new.
 */
@Injectable()
export class NotificationBus {
  private readonly logger = new Logger(NotificationBus.name);
  private readonly listeners = new Set<NotificationListener>();

  publish(stored: alerting.StoredNotification): void {
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch (error) {
        // A subscriber's failure is its own; the others still get the notification.
        this.logger.error({ event: 'notification-listener-failed', err: error }, 'a notification subscriber failed');
      }
    }
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}
