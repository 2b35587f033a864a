import type { Metadata, ServerWritableStream } from '@grpc/grpc-js';
import { Controller, Inject } from '@nestjs/common';
import { Observable } from 'rxjs';
import { GOLDEN_SIGNAL_NAMES, SEVERITY_NAMES } from '@app/notification-model';
import { alerting } from '@app/proto';
import { InvalidArgumentError, ResourceExhaustedError, UnavailableError } from '@app/runtime';
import { NotificationFeed } from '../live-feed/notification-feed.js';
import { NOTIFICATION_STORE, type NotificationOrder, type NotificationStore } from '../store/notification-store.js';

type WatchCall = ServerWritableStream<alerting.WatchNotificationsRequest, alerting.StoredNotification>;

function checkEnum(field: string, values: readonly number[], names: readonly string[]): void {
  const unknown = values.find((value) => names[value] === undefined);
  if (unknown !== undefined)
    throw new InvalidArgumentError(field, `${unknown} is not one of ${names.map((n, i) => `${n}=${i}`).join(', ')}`);
}

/** The store's order for each alerting.NotificationOrder, indexed by its value. */
const ORDERS: readonly NotificationOrder[] = ['newest', 'severity'];
const ORDER_NAMES = ORDERS.map((_, value) => alerting.NotificationOrder[value]);

/** The store's checks name the HTTP list's parameters; a gRPC caller is told the request's field. */
const GRPC_FIELDS: Readonly<Record<string, string>> = { dedupeKey: 'dedupe_key' };

function inGrpcTerms(error: unknown): unknown {
  if (!(error instanceof InvalidArgumentError)) return error;
  const field = GRPC_FIELDS[error.field];
  return field === undefined ? error : new InvalidArgumentError(field, error.reason);
}

function checkClusterIds(clusterIds: readonly string[]): void {
  if (clusterIds.some((id) => id === '')) throw new InvalidArgumentError('cluster_ids', 'must not hold an empty id');
  // No cluster id holds one, and PostgreSQL text cannot: refused here rather than failing in the database.
  if (clusterIds.some((id) => id.includes('\0')))
    throw new InvalidArgumentError('cluster_ids', 'must not hold an id with a NUL character');
}

/** alerting.NotificationQueryService on the gateway's gRPC port: List and Watch. */
@Controller()
@alerting.NotificationQueryServiceControllerMethods()
export class NotificationQueryController implements alerting.NotificationQueryServiceController {
  constructor(
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    private readonly feed: NotificationFeed,
  ) {}

  async list(request: alerting.ListNotificationsRequest): Promise<alerting.ListNotificationsResponse> {
    checkClusterIds(request.clusterIds);
    checkEnum('severities', request.severities, SEVERITY_NAMES);
    checkEnum('golden_signals', request.goldenSignals, GOLDEN_SIGNAL_NAMES);
    checkEnum('order', [request.order], ORDER_NAMES);
    const page = await this.store
      .list({
        clusterIds: request.clusterIds,
        severities: request.severities,
        goldenSignals: request.goldenSignals,
        since: request.since,
        until: request.until,
        limit: request.limit === 0 ? undefined : request.limit, // proto3: 0 is "not set"
        cursor: request.cursor === '' ? undefined : request.cursor,
        // proto3 cannot tell an empty string from none: empty is no filter, as an empty cursor is the first page.
        text: request.q === '' ? undefined : request.q,
        dedupeKey: request.dedupeKey === '' ? undefined : request.dedupeKey,
        order: ORDERS[request.order],
      })
      .catch((error: unknown) => {
        throw inGrpcTerms(error);
      });
    return { notifications: page.notifications, nextCursor: page.nextCursor ?? '' };
  }

  /**
   * Writes to the call itself rather than emitting on the Observable: Nest's
   * writer would buffer for a client that stops reading without bound, while
   * the feed needs to know when the call has taken each one, to cut off such a
   * client. The Observable ends the call: with an error, or when cancelled.
   */
  watch(
    request: alerting.WatchNotificationsRequest,
    _metadata?: Metadata,
    call?: WatchCall,
  ): Observable<alerting.StoredNotification> {
    checkClusterIds(request.clusterIds);
    checkEnum('min_severity', [request.minSeverity], SEVERITY_NAMES);
    if (!call) throw new Error('Watch needs the gRPC call to write to');
    return new Observable<alerting.StoredNotification>((subscriber) =>
      this.feed.subscribe(
        'grpc',
        { clusterIds: request.clusterIds, minSeverity: request.minSeverity },
        {
          send: (stored, sent) => call.write(stored, sent),
          overflow: (message) => subscriber.error(new ResourceExhaustedError(message)),
          shutdown: () => subscriber.error(new UnavailableError('the gateway is shutting down; watch again')),
        },
      ),
    );
  }
}
