import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import { alerting } from '@app/proto';
import { UnavailableError } from '@app/runtime';
import type {
  IncomingNotification,
  NotificationCountQuery,
  NotificationPage,
  NotificationQuery,
  NotificationStore,
  RetentionPolicy,
  StoreResult,
} from '../../notifications/store/notification-store.js';
import type { CursorPosition } from '../../notifications/store/notification-cursor.js';
import {
  dedupeKeyFilter,
  idLookup,
  listOrder,
  nextCursorAfter,
  pageLimit,
  pageStart,
  readLimit,
  searchTerms,
  timeRange,
} from '../../notifications/store/notification-query-checks.js';
import { MAX_SAME_ID } from '../../notifications/store/notification-store.js';
import {
  fromRow,
  NOTIFICATION_COLUMNS,
  storeBatch,
  type NotificationRow,
  type PendingNotification,
} from './postgres-notification-writes.js';

/** Rows deleted per statement while pruning or deleting a cluster, so that ingest is never held up for long. */
const DELETE_CHUNK = 5_000;

/**
 * Errors after which a batch failed for want of a server, or its outcome is
 * unknown (the connection broke around COMMIT): retrying it is safe. SQLSTATE
 * classes 08 (connection), 57P01-3 (shut down, crashed, starting up), 40001
 * and 40P01 (serialization, deadlock); postgres.js's lost connections and
 * Node's socket errors. Not CONNECTION_ENDED: the pool was closed on purpose.
 */
const RETRYABLE = /^(08|57P0[1-3]|40001|40P01|CONNECTION_CLOSED|CONNECTION_DESTROYED|ECONNRE|EPIPE|ETIMEDOUT)/;

export interface PostgresNotificationStoreOptions {
  /**
   * How long a batch is retried while the database is unreachable (a
   * failover, say) before its callers are told UnavailableError; default 30 s.
   */
  retryForMs?: number;
}

interface Waiting extends PendingNotification {
  resolve: (result: StoreResult) => void;
  reject: (error: unknown) => void;
}

/**
 * The gateway's notifications in PostgreSQL, shared by every replica (tables:
 * notification-migrations.ts, applied by migrate() before this is used).
 * store() calls of the same event-loop turn, and those that arrive while a
 * batch commits, share one transaction (group commit); storeBatch explains
 * why seqs become visible in order across replicas. A batch that fails for
 * want of a connection is retried until `retryForMs` has passed: (cluster, id)
 * is the key, so a batch that did commit before the connection broke comes
 * back as duplicates (duplicate: true, the stored row), never twice.
 *
 * The pool is the caller's: close() stops this store, not the pool.
 */
export class PostgresNotificationStore implements NotificationStore {
  private pending: Waiting[] = [];
  private committing: Promise<void> | undefined;
  private flushScheduled = false;
  private closed = false;
  private readonly retryForMs: number;

  constructor(
    private readonly sql: postgres.Sql,
    options: PostgresNotificationStoreOptions = {},
  ) {
    this.retryForMs = options.retryForMs ?? 30_000;
  }

  store(incoming: IncomingNotification): Promise<StoreResult> {
    if (this.closed) return Promise.reject(new UnavailableError('the notification store is closed'));
    const payload = incoming.encoded ?? alerting.Notification.encode(incoming.notification).finish();
    return new Promise<StoreResult>((resolve, reject) => {
      this.pending.push({ incoming, payload, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the I/O callbacks of this turn: every push that arrived with this one joins its batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Starts committing what is pending unless a batch is committing (then it follows that one). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.committing || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.committing = this.commit(batch).finally(() => {
      this.committing = undefined;
      this.flush();
    });
  }

  private async commit(batch: Waiting[]): Promise<void> {
    const deadline = Date.now() + this.retryForMs;
    for (let pause = 50; ; pause = Math.min(pause * 2, 1_000)) {
      try {
        const results = await storeBatch(this.sql, batch);
        batch.forEach((waiting, i) => waiting.resolve(results[i]));
        return;
      } catch (error) {
        if (!RETRYABLE.test(errorCode(error)) || Date.now() + pause > deadline) {
          const failure = RETRYABLE.test(errorCode(error))
            ? new UnavailableError(`the notification database is unreachable: ${(error as Error).message}`)
            : error;
          for (const waiting of batch) waiting.reject(failure);
          return;
        }
        await sleep(pause);
      }
    }
  }

  /** Resolves once every store() called so far has been answered. */
  private async drain(): Promise<void> {
    this.flush();
    while (this.committing) await this.committing;
  }

  async list(query: NotificationQuery): Promise<NotificationPage> {
    this.ensureOpen();
    const limit = pageLimit(query);
    const order = listOrder(query);
    const where = this.where(query, pageStart(query));
    const orderBy = order === 'severity' ? this.sql`severity DESC, seq DESC` : this.sql`seq DESC`;
    // One more than the page: it tells whether another page follows.
    const rows = await this.sql<NotificationRow[]>`
      SELECT ${this.sql(NOTIFICATION_COLUMNS)} FROM notifications ${where} ORDER BY ${orderBy} LIMIT ${limit + 1}`;
    const more = rows.length > limit;
    const notifications = (more ? rows.slice(0, limit) : rows).map(fromRow);
    return { notifications, nextCursor: more ? nextCursorAfter(order, notifications[limit - 1]) : undefined };
  }

  async withId(id: string, clusterId?: string): Promise<alerting.StoredNotification[]> {
    this.ensureOpen();
    idLookup(id, clusterId);
    const ofCluster = clusterId === undefined ? this.sql`` : this.sql`AND cluster_id = ${clusterId}`;
    const rows = await this.sql<NotificationRow[]>`
      SELECT ${this.sql(NOTIFICATION_COLUMNS)} FROM notifications WHERE id = ${id} ${ofCluster}
      ORDER BY seq DESC LIMIT ${MAX_SAME_ID}`;
    return rows.map(fromRow);
  }

  async countBySeverity(query: NotificationCountQuery): Promise<Map<alerting.OpniSeverity, number>> {
    this.ensureOpen();
    const rows = await this.sql<{ severity: alerting.OpniSeverity; count: number }[]>`
      SELECT severity, count(*)::int AS count FROM notifications ${this.where(query, undefined)} GROUP BY severity`;
    return new Map(rows.map((row) => [row.severity, row.count]));
  }

  /** The WHERE clause of a query's filters (received_at never decreases along seq, as in the SQLite store). */
  private where(
    query: NotificationCountQuery & Pick<NotificationQuery, 'severities'>,
    start: CursorPosition | undefined,
  ) {
    const { since, until } = timeRange(query);
    const words = searchTerms(query);
    const dedupeKey = dedupeKeyFilter(query);
    const sql = this.sql;
    const conditions: postgres.PendingQuery<postgres.Row[]>[] = [];
    if (query.clusterIds?.length) conditions.push(sql`cluster_id = ANY(${[...new Set(query.clusterIds)]}::text[])`);
    if (query.severities?.length) conditions.push(sql`severity = ANY(${[...new Set(query.severities)]}::smallint[])`);
    if (query.goldenSignals?.length)
      conditions.push(sql`golden_signal = ANY(${[...new Set(query.goldenSignals)]}::smallint[])`);
    if (since) conditions.push(sql`received_at >= ${since}`);
    if (until) conditions.push(sql`received_at < ${until}`);
    if (dedupeKey !== undefined) conditions.push(sql`dedupe_key = ${dedupeKey}`);
    // Each word a quoted prefix lexeme, matched against exactly the words stored: what was typed is only ever text.
    if (words) conditions.push(sql`search_words @@ ${words.map((word) => `'${word}':*`).join(' & ')}::tsquery`);
    if (start?.severity !== undefined) conditions.push(sql`(severity, seq) < (${start.severity}, ${start.seq})`);
    else if (start !== undefined) conditions.push(sql`seq < ${start.seq}`);
    if (conditions.length === 0) return sql``;
    return sql`WHERE ${conditions.reduce((all, condition) => sql`${all} AND ${condition}`)}`;
  }

  async readAfter(afterSeq: bigint, limit: number): Promise<alerting.StoredNotification[]> {
    this.ensureOpen();
    readLimit(limit);
    const rows = await this.sql<NotificationRow[]>`
      SELECT ${this.sql(NOTIFICATION_COLUMNS)} FROM notifications WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
    return rows.map(fromRow);
  }

  async lastReceivedByCluster(): Promise<Map<string, Date>> {
    this.ensureOpen();
    const rows = await this.sql<{ cluster_id: string; received_at: Date }[]>`
      SELECT cluster_id, max(received_at) AS received_at FROM notifications GROUP BY cluster_id`;
    return new Map(rows.map((row) => [row.cluster_id, row.received_at]));
  }

  async deleteCluster(clusterId: string): Promise<number> {
    this.ensureOpen();
    // What is pending or being committed for the cluster goes too: wait until it is written.
    await this.drain();
    return this.deleteInChunks(
      (chunk) => this.sql`DELETE FROM notifications WHERE seq IN (
        SELECT seq FROM notifications WHERE cluster_id = ${clusterId} LIMIT ${chunk})`,
    );
  }

  /**
   * Deletes by age, then by count, oldest first, a chunk per statement. Safe
   * to run on every replica at once: by age, deleting what another already
   * deleted deletes nothing; by count, the cutoff is the seq of the
   * maxCount-th newest, found once, and only rows below it go, so however
   * the replicas interleave at least maxCount remain.
   */
  async prune(policy: RetentionPolicy, now: Date): Promise<number> {
    this.ensureOpen();
    let deleted = 0;
    if (policy.maxAgeMs > 0) {
      const cutoff = new Date(now.getTime() - policy.maxAgeMs);
      deleted += await this.deleteInChunks(
        (chunk) => this.sql`DELETE FROM notifications WHERE seq IN (
          SELECT seq FROM notifications WHERE received_at < ${cutoff} ORDER BY seq LIMIT ${chunk})`,
      );
    }
    if (policy.maxCount > 0 && !this.closed) {
      const [kept] = await this.sql<{ seq: string }[]>`
        SELECT seq FROM notifications ORDER BY seq DESC OFFSET ${policy.maxCount - 1} LIMIT 1`;
      if (kept)
        deleted += await this.deleteInChunks(
          (chunk) => this.sql`DELETE FROM notifications WHERE seq IN (
            SELECT seq FROM notifications WHERE seq < ${BigInt(kept.seq)} ORDER BY seq LIMIT ${chunk})`,
        );
    }
    return deleted;
  }

  private async deleteInChunks(deleteChunk: (chunk: number) => Promise<{ count: number }>): Promise<number> {
    let deleted = 0;
    while (!this.closed) {
      const { count } = await deleteChunk(DELETE_CHUNK);
      deleted += count;
      if (count < DELETE_CHUNK) break;
    }
    return deleted;
  }

  /** Commits what is pending, then refuses further calls with UnavailableError (the pool stays open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
  }

  private ensureOpen(): void {
    if (this.closed) throw new UnavailableError('the notification store is closed');
  }
}

/** A PostgreSQL SQLSTATE (e.g. 08006) or postgres.js / Node error code (CONNECTION_CLOSED, ECONNREFUSED). */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}
