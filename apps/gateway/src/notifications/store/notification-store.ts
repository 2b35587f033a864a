import type { NotificationOrder } from '@app/admin-api';
import type { alerting } from '@app/proto';

/** Injection token of the gateway's notification storage (SQLite by default). */
export const NOTIFICATION_STORE = Symbol('NotificationStore');

/** Page size of a listing when none is asked for. */
export const DEFAULT_LIST_LIMIT = 100;
/** Largest page size; asking for more is an InvalidArgumentError('limit'), not a silent clamp. */
export const MAX_LIST_LIMIT = 1000;

/** A validated notification to store, its opni_clusterId and opni_uuid already set. */
export interface IncomingNotification {
  clusterId: string;
  id: string;
  notification: alerting.Notification;
  /** `notification` as protobuf bytes when the caller has them already (saves encoding it again). */
  encoded?: Uint8Array;
  severity: alerting.OpniSeverity;
  goldenSignal: alerting.GoldenSignal;
  receivedAt: Date;
}

export interface StoreResult {
  /** The stored notification: the one just written, or the earlier one with this (cluster, id). */
  stored: alerting.StoredNotification;
  /** True when (cluster, id) was already stored: nothing was written. */
  duplicate: boolean;
}

/** Filters of a listing; every field is optional. */
export interface NotificationQuery {
  clusterIds?: string[];
  severities?: alerting.OpniSeverity[];
  goldenSignals?: alerting.GoldenSignal[];
  /** Received at or after this instant (inclusive). */
  since?: Date;
  /** Received before this instant (exclusive); must be later than `since`. */
  until?: Date;
  /**
   * Words that must each start a word of the title, body or a property value,
   * in any case (@app/admin-api's matchesSearch); punctuation only separates
   * words. Blank is no filter; InvalidArgumentError('q') when too long or
   * when it holds no word.
   */
  text?: string;
  /** Only those whose opni_dedupe_key property is exactly this. */
  dedupeKey?: string;
  /** `newest` (the default): seq descending; `severity`: most severe first, then newest. */
  order?: NotificationOrder;
  /** Page size, 1 to MAX_LIST_LIMIT (default DEFAULT_LIST_LIMIT). */
  limit?: number;
  /**
   * The `nextCursor` of a previous page: the next page holds what is older
   * than that page. It marks a position, not the filters: pass the same filters
   * and order (a cursor of the other order is an InvalidArgumentError).
   */
  cursor?: string;
}

/** The orders a listing comes in: the API's. */
export { NOTIFICATION_ORDERS, type NotificationOrder } from '@app/admin-api';

/** Most notifications withId() returns: enough to tell one from several. */
export const MAX_SAME_ID = 10;

/** Filters of a count by severity: a listing's, but for the severities (counted) and the page. */
export type NotificationCountQuery = Pick<
  NotificationQuery,
  'clusterIds' | 'goldenSignals' | 'since' | 'until' | 'text' | 'dedupeKey'
>;

export interface NotificationPage {
  notifications: alerting.StoredNotification[];
  /** Set when more match. */
  nextCursor?: string;
}

export interface RetentionPolicy {
  /** Delete notifications received longer ago than this (ms); 0 keeps them regardless of age. */
  maxAgeMs: number;
  /** Keep at most this many, deleting the oldest; 0 means no limit. */
  maxCount: number;
}

/**
 * Where the gateway keeps what agents pushed. Implementations are adapters
 * bound in NotificationsModule (SQLite now; NATS JetStream later).
 */
export interface NotificationStore {
  /**
   * Stores the notification unless (clusterId, id) is stored already; resolves
   * once it is durable, so the caller may then Resolve it at the agent.
   */
  store(incoming: IncomingNotification): Promise<StoreResult>;
  /**
   * Newest first (seq descending) or most severe first, filtered, a page at a
   * time. Throws InvalidArgumentError naming `limit`, `cursor`, `since`,
   * `until`, `q`, `dedupeKey` or `order` for a bad one.
   */
  list(query: NotificationQuery): Promise<NotificationPage>;
  /**
   * The stored notifications with this id (of this cluster when given), newest
   * first, at most MAX_SAME_ID: ids are unique per cluster only. Throws
   * InvalidArgumentError('id') for an empty one.
   */
  withId(id: string, clusterId?: string): Promise<alerting.StoredNotification[]>;
  /**
   * Up to `limit` stored notifications with seq > `afterSeq`, oldest first:
   * how receivers catch up from their own durable cursor.
   */
  readAfter(afterSeq: bigint, limit: number): Promise<alerting.StoredNotification[]>;
  /** How many match the filters, per severity (severities with none are absent). */
  countBySeverity(query: NotificationCountQuery): Promise<Map<alerting.OpniSeverity, number>>;
  /** When each cluster's newest stored notification was received (clusters with none are absent). */
  lastReceivedByCluster(): Promise<Map<string, Date>>;
  /** Deletes every notification of the cluster (its alerting was uninstalled with deleteStoredData); returns how many. */
  deleteCluster(clusterId: string): Promise<number>;
  /** Applies the retention policy now; returns how many were deleted. */
  prune(policy: RetentionPolicy, now: Date): Promise<number>;
  close(): Promise<void>;
}
