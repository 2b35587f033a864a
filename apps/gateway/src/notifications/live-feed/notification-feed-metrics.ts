import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';

/** The live feeds: Server-Sent Events over HTTP, and gRPC NotificationQueryService.Watch. */
export const FEEDS = ['sse', 'grpc'] as const;
export type FeedName = (typeof FEEDS)[number];

/** Metrics of the live feeds' subscribers (ingest counts what it receives, retention what it deletes). */
@Injectable()
export class NotificationFeedMetrics {
  private readonly subscribers: Gauge<'feed'>;
  private readonly overflows: Counter<'feed'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.subscribers = new Gauge({
      name: 'gateway_notification_subscribers',
      help: 'Live feed subscribers connected now, by feed (sse, grpc).',
      labelNames: ['feed'],
      registers: [registry],
    });
    this.overflows = new Counter({
      name: 'gateway_notification_subscriber_overflows_total',
      help: 'Live subscribers cut off because they fell too far behind (they catch up from the store: Last-Event-ID or List).',
      labelNames: ['feed'],
      registers: [registry],
    });
    // Every series from the start, so that dashboards and rate() see zeros rather than gaps.
    for (const feed of FEEDS) {
      this.subscribers.set({ feed }, 0);
      this.overflows.inc({ feed }, 0);
    }
  }

  /** Counts a subscriber; returns the function that uncounts it (once, however often it is called). */
  subscribed(feed: FeedName): () => void {
    this.subscribers.inc({ feed });
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      this.subscribers.dec({ feed });
    };
  }

  overflowed(feed: FeedName): void {
    this.overflows.inc({ feed });
  }
}
