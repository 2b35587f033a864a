import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError } from '@app/runtime';
import { NotificationBus } from './notification-bus.js';
import { notificationJson } from './notification-json.js';
import { notificationQueryFromParams, severitiesParam, type QueryValue } from './notification-query-params.js';
import { NOTIFICATION_STORE, type NotificationStore } from './notification-store.js';
import { LiveFeedMetrics } from './live-feed-metrics.js';

/** Comment lines keep idle connections (and the proxies between) from timing out. */
export const SSE_HEARTBEAT = Symbol('SseHeartbeatMs');

/**
 * The stored notifications over HTTP: GET /api/v1/notifications (filters,
 * newest first, cursor paging) and the live feed as Server-Sent Events at
 * GET /api/v1/notifications/stream.
 */
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    private readonly bus: NotificationBus,
    private readonly metrics: LiveFeedMetrics,
    @Inject(SSE_HEARTBEAT) private readonly heartbeatMs: number,
  ) {}

  @Get()
  async list(@Query() params: Record<string, QueryValue>) {
    const page = await this.store.list(notificationQueryFromParams(params));
    return { notifications: page.notifications.map(notificationJson), nextCursor: page.nextCursor ?? null };
  }

  /** `cluster` (repeatable) and `minSeverity` filter; each event is `event: notification`, `id: <seq>`, `data: <json>`. */
  @Get('stream')
  stream(
    @Query() params: Record<string, QueryValue>,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): void {
    const clusters = new Set(
      (Array.isArray(params.cluster) ? params.cluster : params.cluster ? [params.cluster] : []).flatMap((c) =>
        c.split(','),
      ),
    );
    const minimum = severitiesParam('minSeverity', params.minSeverity);
    if (minimum.length > 1) throw new InvalidArgumentError('minSeverity', 'may be given once');
    const minSeverity = minimum[0] ?? 0;

    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx: do not buffer the feed
    });
    response.write(': connected\n\n');
    const unsubscribe = this.bus.subscribe((stored) => {
      if (stored.severity < minSeverity || (clusters.size > 0 && !clusters.has(stored.clusterId))) return;
      response.write(`event: notification\nid: ${stored.seq}\ndata: ${JSON.stringify(notificationJson(stored))}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), this.heartbeatMs);
    const release = this.metrics.subscribed('sse');
    request.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      release();
    });
  }
}
