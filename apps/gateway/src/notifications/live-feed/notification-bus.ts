import { Inject, Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { alerting } from '@app/proto';
import {
  InProcessStoredNotifications,
  STORED_NOTIFICATIONS,
  type StoredNotifications,
} from './stored-notifications.js';

export type NotificationListener = (stored: alerting.StoredNotification) => void;

/**
 * Fan-out of newly stored notifications inside the gateway: the live feeds
 * (SSE, gRPC Watch) and the receivers subscribe; ingest publishes each
 * notification once, after it is durably stored and only if it was new.
 * Subscribers hear every notification stored by any replica sharing the
 * storage, once, in seq order (STORED_NOTIFICATIONS says how).
 */
@Injectable()
export class NotificationBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NotificationBus.name);
  private readonly listeners = new Set<NotificationListener>();
  private readonly source: StoredNotifications;
  private started: Promise<void> | undefined;

  constructor(@Optional() @Inject(STORED_NOTIFICATIONS) source?: StoredNotifications) {
    this.source = source ?? new InProcessStoredNotifications();
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  /** Starts hearing stored notifications (once; Nest calls it at start-up, a spec may call it itself). */
  start(): Promise<void> {
    this.started ??= this.source.start((stored) => this.fanOut(stored));
    return this.started;
  }

  async onModuleDestroy(): Promise<void> {
    await this.source.stop();
  }

  /** `stored` was just stored here, and was new. */
  publish(stored: alerting.StoredNotification): void {
    void this.start();
    this.source.storedHere(stored);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  private fanOut(stored: alerting.StoredNotification): void {
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch (error) {
        // A subscriber's failure is its own; the others still get the notification.
        this.logger.error({ event: 'notification-listener-failed', err: error }, 'a notification subscriber failed');
      }
    }
  }
}
