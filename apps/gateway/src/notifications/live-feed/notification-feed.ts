import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { alerting } from '@app/proto';
import { NotificationBus } from './notification-bus.js';
import { NotificationFeedMetrics, type FeedName } from './notification-feed-metrics.js';

/** Which newly stored notifications a live subscriber gets. */
export interface FeedFilter {
  /** Only these clusters; empty = all. */
  clusterIds: readonly string[];
  /** Only this severity and more important ones. */
  minSeverity: alerting.OpniSeverity;
}

export function feedMatches(filter: FeedFilter, stored: alerting.StoredNotification): boolean {
  return (
    stored.severity >= filter.minSeverity &&
    (filter.clusterIds.length === 0 || filter.clusterIds.includes(stored.clusterId))
  );
}

export interface FeedOptions {
  /** Interval of the SSE comment line that keeps idle connections open through proxies. */
  heartbeatMs: number;
  /** A subscriber this many notifications behind (sent, not yet taken by the network) is cut off. */
  maxBacklog: number;
}

export const FEED_OPTIONS = Symbol('FeedOptions');
export const DEFAULT_MAX_BACKLOG = 10_000;

/** A transport's end of a live subscription (an SSE response, a gRPC Watch call). */
export interface LiveSubscriber {
  /** Sends one notification; calls `sent` once the transport has handed it to the network. */
  send(stored: alerting.StoredNotification, sent: () => void): void;
  /** The subscriber fell too far behind: end the stream saying so. The subscription is over. */
  overflow(message: string): void;
  /** The gateway is shutting down: end the stream. The subscription is over. */
  shutdown(): void;
}

/**
 * The live feeds' side of the bus: filters, counts subscribers
 * (gateway_notification_subscribers), and cuts off a subscriber that stops
 * reading rather than buffering for it without bound (counted in
 * gateway_notification_subscriber_overflows_total; the client catches up from
 * the store). Ends every subscription when the gateway shuts down, so open
 * streams never hold up the shutdown.
 */
@Injectable()
export class NotificationFeed implements OnModuleDestroy {
  private readonly live = new Set<() => void>();
  private closing = false;

  constructor(
    private readonly bus: NotificationBus,
    private readonly metrics: NotificationFeedMetrics,
    @Inject(FEED_OPTIONS) readonly options: FeedOptions,
  ) {}

  /** Subscribes until the returned function is called (or overflow/shutdown ends it); idempotent. */
  subscribe(feed: FeedName, filter: FeedFilter, subscriber: LiveSubscriber): () => void {
    if (this.closing) {
      // A stream opened while the gateway shuts down (the servers still take calls then) ends at once.
      queueMicrotask(() => subscriber.shutdown());
      return () => {};
    }
    let backlog = 0;
    let active = true;
    const uncount = this.metrics.subscribed(feed);
    const end = () => {
      if (!active) return;
      active = false;
      unsubscribe();
      uncount();
      this.live.delete(shutdown);
    };
    const shutdown = () => {
      end();
      subscriber.shutdown();
    };
    const unsubscribe = this.bus.subscribe((stored) => {
      if (!active || !feedMatches(filter, stored)) return;
      if (backlog >= this.options.maxBacklog) {
        end();
        this.metrics.overflowed(feed);
        subscriber.overflow(
          `fell ${backlog} notifications behind and was cut off; ` +
            'catch up from the store (Last-Event-ID, or List) and subscribe again',
        );
        return;
      }
      backlog++;
      let taken = false;
      subscriber.send(stored, () => {
        if (taken) return;
        taken = true;
        backlog--;
      });
    });
    this.live.add(shutdown);
    return end;
  }

  onModuleDestroy(): void {
    this.closing = true;
    for (const shutdown of [...this.live]) shutdown();
  }
}
