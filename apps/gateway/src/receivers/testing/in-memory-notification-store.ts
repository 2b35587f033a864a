import { InvalidArgumentError } from '@app/runtime';
import type { alerting } from '@app/proto';
import type {
  IncomingNotification,
  NotificationPage,
  NotificationQuery,
  NotificationStore,
  RetentionPolicy,
  StoreResult,
} from '../../notifications/notification-store.js';

/**
 * TEST DOUBLE — not for production. A faithful in-memory NotificationStore
 * for the receivers' tests while the SQLite adapter lives on another branch:
 * seq increases by one per stored notification, (clusterId, id) is stored
 * once, readAfter answers oldest first, list newest first. Nothing is durable.
 */
export class InMemoryNotificationStore implements NotificationStore {
  private readonly rows: alerting.StoredNotification[] = [];
  private readonly byKey = new Map<string, alerting.StoredNotification>();
  private lastSeq = 0n;
  private closed = false;

  async store(incoming: IncomingNotification): Promise<StoreResult> {
    this.assertOpen();
    const key = JSON.stringify([incoming.clusterId, incoming.id]);
    const earlier = this.byKey.get(key);
    if (earlier) return { stored: structuredClone(earlier), duplicate: true };
    const stored: alerting.StoredNotification = {
      clusterId: incoming.clusterId,
      id: incoming.id,
      notification: structuredClone(incoming.notification),
      severity: incoming.severity,
      goldenSignal: incoming.goldenSignal,
      receivedAt: new Date(incoming.receivedAt),
      seq: ++this.lastSeq,
    };
    this.rows.push(stored);
    this.byKey.set(key, stored);
    return { stored: structuredClone(stored), duplicate: false };
  }

  async list(query: NotificationQuery): Promise<NotificationPage> {
    this.assertOpen();
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    let before = this.lastSeq + 1n;
    if (query.cursor !== undefined && query.cursor !== '') {
      if (!/^\d+$/.test(query.cursor)) throw new InvalidArgumentError('cursor', 'is not a cursor from a previous page');
      before = BigInt(query.cursor);
    }
    const matching = this.rows
      .filter(
        (row) =>
          row.seq < before &&
          (!query.clusterIds?.length || query.clusterIds.includes(row.clusterId)) &&
          (!query.severities?.length || query.severities.includes(row.severity)) &&
          (!query.goldenSignals?.length || query.goldenSignals.includes(row.goldenSignal)) &&
          (!query.since || row.receivedAt! >= query.since) &&
          (!query.until || row.receivedAt! < query.until),
      )
      .reverse();
    const page = matching.slice(0, limit);
    return {
      notifications: structuredClone(page),
      nextCursor: matching.length > limit ? String(page[page.length - 1].seq) : undefined,
    };
  }

  async readAfter(afterSeq: bigint, limit: number): Promise<alerting.StoredNotification[]> {
    this.assertOpen();
    // rows are in seq order; a linear scan is fine at test sizes.
    return structuredClone(this.rows.filter((row) => row.seq > afterSeq).slice(0, limit));
  }

  async prune(policy: RetentionPolicy, now: Date): Promise<number> {
    this.assertOpen();
    const keep = this.rows.filter(
      (row) => policy.maxAgeMs === 0 || now.getTime() - row.receivedAt!.getTime() <= policy.maxAgeMs,
    );
    const kept = policy.maxCount === 0 ? keep : keep.slice(Math.max(0, keep.length - policy.maxCount));
    const pruned = this.rows.length - kept.length;
    const keptSeqs = new Set(kept.map((row) => row.seq));
    for (const row of this.rows) {
      if (!keptSeqs.has(row.seq)) this.byKey.delete(JSON.stringify([row.clusterId, row.id]));
    }
    this.rows.splice(0, this.rows.length, ...kept);
    return pruned;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Opens again after close(), keeping the contents: a gateway restart in tests. */
  reopen(): void {
    this.closed = false;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('notification store is closed');
  }
}
