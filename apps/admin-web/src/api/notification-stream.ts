// The live feed, GET /api/v1/notifications/stream, read with fetch rather than
// EventSource: EventSource cannot send the Authorization header. It reconnects
// like EventSource does, with Last-Event-ID, so nothing is missed or repeated.
import type { NotificationJson, Severity } from '@app/admin-api';
import { authorizationHeaders, checked } from './gateway-api.js';
import { gatewayFetch } from './reachability.js';
import { sseEvents } from './sse-events.js';

export interface StreamFilter {
  /** Empty: every cluster. */
  cluster: string;
  minSeverity: Severity;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface StreamHandlers {
  notification(notification: NotificationJson): void;
  state(state: StreamState, detail?: string): void;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Follows the live feed until the returned function is called. */
export function followNotifications(filter: StreamFilter, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  const params = new URLSearchParams({ minSeverity: filter.minSeverity });
  if (filter.cluster !== '') params.set('cluster', filter.cluster);
  const url = `/api/v1/notifications/stream?${params}`;

  void (async () => {
    let lastEventId: string | undefined;
    let retryMs = RETRY_MIN_MS;
    handlers.state('connecting');
    while (!abort.signal.aborted) {
      try {
        const response = await checked(
          await gatewayFetch(url, {
            headers: {
              ...authorizationHeaders(),
              Accept: 'text/event-stream',
              ...(lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId }),
            },
            signal: abort.signal,
            cache: 'no-store',
          }),
        );
        handlers.state('live');
        retryMs = RETRY_MIN_MS;
        for await (const event of sseEvents(response.body!)) {
          if (event.id !== undefined) lastEventId = event.id;
          if (event.event === 'notification') handlers.notification(JSON.parse(event.data) as NotificationJson);
          // `overflow`: the gateway cut us off as too slow; the reconnect below resumes after lastEventId.
        }
        if (!abort.signal.aborted) handlers.state('reconnecting', 'the gateway ended the stream');
      } catch (error) {
        if (abort.signal.aborted) break;
        handlers.state('reconnecting', error instanceof Error ? error.message : String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
    handlers.state('stopped');
  })();
  return () => abort.abort();
}
