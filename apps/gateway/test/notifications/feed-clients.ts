import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { alerting, serviceDefinitions } from '@app/proto';
import type { UnaryClient } from '@app/runtime';
import { gatewayClient, readSseBlocks } from '@app/testing';
import { adminFetch, type Gateway } from './notifications-gateway.js';

// The read side's clients, as a test reads them: Server-Sent Events over
// fetch, and the gRPC query service (List, and the Watch stream).

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseClient {
  response: Response;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const response = await adminFetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const client: SseClient = {
    response,
    events: [],
    comments: [],
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (response.status !== 200 || !response.body) return client;
  client.ended = readSseBlocks(response.body, (block) => {
    const event: SseEvent = { event: 'message', data: '' };
    let isEvent = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
      else {
        isEvent = true;
        const colon = line.indexOf(':');
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
        else if (field === 'data') event.data += value;
      }
    }
    if (isEvent) client.events.push(event);
  });
  return client;
}

// --- gRPC ------------------------------------------------------------------------------------------

export type QueryClient = UnaryClient<'alerting.NotificationQueryService'>;

/** A client of the gateway's alerting.NotificationQueryService, with the admin token; close it. */
export function queryClient(gateway: Gateway): QueryClient {
  return gatewayClient(
    { grpcAddress: gateway.running.grpcAddress, gateway: gateway.secrets },
    'alerting.NotificationQueryService',
  );
}

export interface Watch {
  received: alerting.StoredNotification[];
  /** Resolves with the call's final status. */
  ended: Promise<{ code: number; details: string }>;
  cancel(): void;
}

export function watch(client: QueryClient, request: Partial<alerting.WatchNotificationsRequest>): Watch {
  const method = serviceDefinitions['alerting.NotificationQueryService'].watch;
  const call: ClientReadableStream<alerting.StoredNotification> = client.raw.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    { clusterIds: [], minSeverity: alerting.OpniSeverity.Info, ...request },
  );
  const received: alerting.StoredNotification[] = [];
  call.on('data', (stored: alerting.StoredNotification) => received.push(stored));
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    call.on('status', (s) => resolve({ code: s.code, details: s.details }));
  });
  call.on('error', () => {}); // the status carries it
  return { received, ended, cancel: () => call.cancel() };
}

export async function grpcError(call: Promise<unknown>): Promise<ServiceError> {
  const outcome = await call.then(
    (response) => new Error(`expected a gRPC error, got OK: ${String(response)}`),
    (error: ServiceError) => error,
  );
  if (!('code' in outcome)) throw outcome;
  return outcome;
}
