import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';

export type Feed = 'sse' | 'grpc';

/** Subscribers of the live feeds now. */
@Injectable()
export class LiveFeedMetrics {
  private readonly gauge: Gauge<'feed'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.gauge = new Gauge({
      name: 'gateway_notification_subscribers',
      help: 'Live-feed subscribers connected now, by feed (sse, grpc).',
      labelNames: ['feed'],
      registers: [registry],
    });
    this.gauge.set({ feed: 'sse' }, 0);
    this.gauge.set({ feed: 'grpc' }, 0);
  }

  /** Counts a subscriber; call the returned function once it is gone. */
  subscribed(feed: Feed): () => void {
    this.gauge.inc({ feed });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.gauge.dec({ feed });
    };
  }
}
