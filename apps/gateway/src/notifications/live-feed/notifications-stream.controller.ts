import type { ServerResponse } from 'node:http';
import { Controller, Get, Headers, Inject, Logger, Query, Res } from '@nestjs/common';
import type { alerting } from '@app/proto';
import { feedMatches, NotificationFeed, type FeedFilter } from './notification-feed.js';
import { toNotificationJson } from '../query/notification-json.js';
import { feedFilterFromParams, resumeAfter, type QueryParams } from '../query/notification-query-params.js';
import { NOTIFICATION_STORE, type NotificationStore } from '../store/notification-store.js';

/** Notifications read from the store per step of a Last-Event-ID replay. */
const REPLAY_PAGE = 500;

function sseEvent(stored: alerting.StoredNotification): string {
  // JSON.stringify escapes line breaks, so `data` is one line.
  return `event: notification\nid: ${stored.seq}\ndata: ${JSON.stringify(toNotificationJson(stored))}\n\n`;
}

/** Resolves once `response` can take more (drained), or has closed. */
function writable(response: ServerResponse): Promise<void> {
  if (!response.writableNeedDrain || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/**
 * GET /api/v1/notifications/stream?cluster=&minSeverity= — Server-Sent Events:
 * each newly stored notification that matches, as `event: notification` with
 * `id: <seq>`. A client that reconnects with Last-Event-ID first gets the
 * stored ones after that seq, then the live ones, with no gap and no repeat.
 */
@Controller('api/v1/notifications/stream')
export class NotificationsStreamController {
  private readonly logger = new Logger(NotificationsStreamController.name);

  constructor(
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    private readonly feed: NotificationFeed,
  ) {}

  @Get()
  async stream(
    @Query() params: QueryParams,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() response: ServerResponse,
  ): Promise<void> {
    // Validated before anything is sent: a bad parameter is a plain 400.
    const filter = feedFilterFromParams(params);
    const after = resumeAfter(lastEventId);

    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no', // nginx: pass events through as they come
      Connection: 'keep-alive',
    });
    // Every write goes through here: writing after end() would emit an error on the response.
    const send = (text: string, sent?: () => void) => {
      if (response.writableEnded || response.destroyed) sent?.();
      else response.write(text, sent);
    };
    send(': connected\n\n');

    // While the stored ones are replayed, live ones wait here (and count as backlog until written).
    let replay: [alerting.StoredNotification, () => void][] | undefined = after === undefined ? undefined : [];
    const heartbeat = setInterval(() => send(': heartbeat\n\n'), this.feed.options.heartbeatMs);
    const finish = (last = '') => {
      clearInterval(heartbeat);
      unsubscribe();
      if (!response.writableEnded) response.end(last);
    };
    const unsubscribe = this.feed.subscribe('sse', filter, {
      send: (stored, sent) => (replay ? replay.push([stored, sent]) : send(sseEvent(stored), sent)),
      overflow: (message) =>
        finish(`event: overflow\ndata: ${JSON.stringify({ error: 'resource-exhausted', message })}\n\n`),
      shutdown: () => finish(),
    });
    // (The response's 'close', not the request's: that one fires once the request has been read.)
    response.on('close', () => finish());
    response.on('error', () => finish()); // a reset connection: nothing more to do than stop

    if (after === undefined || replay === undefined) return;
    try {
      const replayedUpTo = await this.replay(after, filter, response, send);
      for (const [stored, sent] of replay) {
        if (stored.seq > replayedUpTo) send(sseEvent(stored), sent);
        else sent(); // the replay covered it
      }
      replay = undefined;
    } catch (error) {
      this.logger.error(
        { event: 'sse-replay-failed', err: error },
        'replaying stored notifications to an SSE client failed',
      );
      finish();
    }
  }

  /** Writes the stored notifications after `after` that match; returns the last seq read. */
  private async replay(
    after: bigint,
    filter: FeedFilter,
    response: ServerResponse,
    send: (text: string) => void,
  ): Promise<bigint> {
    let last = after;
    while (!response.writableEnded && !response.destroyed) {
      const page = await this.store.readAfter(last, REPLAY_PAGE);
      for (const stored of page) if (feedMatches(filter, stored)) send(sseEvent(stored));
      last = page.at(-1)?.seq ?? last;
      if (page.length < REPLAY_PAGE) break;
      await writable(response);
    }
    return last;
  }
}
