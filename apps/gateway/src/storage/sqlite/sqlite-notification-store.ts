import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { openVersionedSqlite, SqliteWriterThread, UnavailableError, type Committer } from '@app/runtime';
import {
  type IncomingNotification,
  type NotificationPage,
  type NotificationQuery,
  type NotificationStore,
  type RetentionPolicy,
  type StoreResult,
  type NotificationCountQuery,
} from '../../notifications/store/notification-store.js';
import {
  encodeRows,
  notificationCommitter,
  rowBuffers,
  type EncodedRows,
  type NotificationRow,
} from './sqlite-notification-writes.js';
import * as checks from '../../notifications/store/notification-query-checks.js';
import { MAX_SAME_ID } from '../../notifications/store/notification-store.js';
import { dedupeKeyOf, searchTextOf } from '../../notifications/store/notification-search-index.js';
import { sqliteFilter, type FilterQuery } from './sqlite-notification-filter.js';
import { COLUMNS, fromRow, prepareStatements, SCHEMA, SCHEMA_VERSION, type Row } from './sqlite-notification-schema.js';
import { upgradeNotificationFile } from './sqlite-notification-upgrade.js';

/** Rows deleted per transaction while pruning, so that ingest is never held up for long. */
const PRUNE_CHUNK = 5_000;
/**
 * How much of the file this thread's connection reads through a memory map
 * instead of read() calls: receivers read every notification once, and a
 * read() per 4 KiB page cost ~0.5 µs per row, the first time through, more.
 */
const READ_MMAP_BYTES = 256 * 1024 * 1024;

interface PendingStore extends NotificationRow {
  notification: alerting.Notification;
  resolve: (result: StoreResult) => void;
  reject: (error: unknown) => void;
}

export interface SqliteNotificationStoreOptions {
  /**
   * Where commits run: `worker` (what the gateway uses) keeps SQLite's work
   * and the fsync off the event loop, so reading the next pushes goes on
   * during a commit, and commits what queued up meanwhile together; `main`
   * commits synchronously on the calling thread (the default: no thread to
   * start, which suits tests and tools).
   */
  commitOn?: 'worker' | 'main';
}

/**
 * The gateway's notifications in one SQLite file (WAL, synchronous=FULL: a
 * stored notification survives power loss). store() calls that arrive in the
 * same event-loop turn share one transaction, so one fsync acknowledges a
 * whole window of an agent's pushes (group commit); with commitOn `worker`
 * the commits run on a writer thread, and the turns' batches that arrive
 * while one commits share the next transaction. Reads and pruning use this
 * thread's connection.
 *
 * receivedAt is kept non-decreasing in seq order: if the clock steps back, a
 * notification is stamped with the previous one's time. A time range then is
 * a seq range, and listings by time cost two index seeks.
 */
export class SqliteNotificationStore implements NotificationStore {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly listings = new Map<string, Database.Statement>();
  /** Commits on this thread (commitOn `main`), or undefined when a writer thread does them. */
  private readonly committer: Committer<EncodedRows, Float64Array> | undefined;
  private readonly writer: SqliteWriterThread<EncodedRows, Float64Array> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private pending: PendingStore[] = [];
  private flushScheduled = false;
  private closed = false;
  private committed = 0;
  /** Stamped on the last store(): rows are committed in store() order, so seq order is this order. */
  private lastReceivedAt: number;

  /** Opens (creating if missing) the file; throws if it has another schema version. */
  constructor(
    private readonly path: string,
    options: SqliteNotificationStoreOptions = {},
  ) {
    upgradeNotificationFile(path);
    this.db = openVersionedSqlite(path, {
      kind: 'notification',
      reader: 'this gateway',
      version: SCHEMA_VERSION,
      table: 'notifications',
      schema: SCHEMA,
      synchronous: 'FULL',
      remedy: 'start the gateway version that wrote it, or move the file aside',
    });
    this.db.pragma(`mmap_size = ${READ_MMAP_BYTES}`);
    this.statements = prepareStatements(this.db);
    this.lastReceivedAt = (this.statements.lastReceivedAt.get() as number | null) ?? 0;
    if ((options.commitOn ?? 'main') === 'main') this.committer = notificationCommitter(this.db);
    else
      this.writer = new SqliteWriterThread<EncodedRows, Float64Array>({
        committer: new URL('./sqlite-notification-writes.js', import.meta.url),
        options: { path },
        name: "the notification store's commit thread",
      }).start();
  }

  store(incoming: IncomingNotification): Promise<StoreResult> {
    if (this.closed) return Promise.reject(new UnavailableError('the notification store is closed'));
    const { clusterId, id, notification, severity, goldenSignal } = incoming;
    const payload = incoming.encoded ?? alerting.Notification.encode(notification).finish();
    // Kept non-decreasing along seq: a clock that steps back stamps the time of the last one stored
    // instead, so that since/until select a contiguous seq range (see list()).
    const receivedAt = Math.max(incoming.receivedAt.getTime(), this.lastReceivedAt);
    this.lastReceivedAt = receivedAt;
    const dedupeKey = dedupeKeyOf(notification);
    const text = searchTextOf(notification);
    return new Promise<StoreResult>((resolve, reject) => {
      const row = { clusterId, id, severity, goldenSignal, receivedAt, payload, dedupeKey, text };
      this.pending.push({ ...row, notification, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the I/O callbacks of this turn: every push that arrived with this one joins its transaction.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending in one transaction (one fsync), then settles each caller. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const rows = encodeRows(batch);
    this.committed++;
    if (this.committer) {
      let seqs: Float64Array | Error;
      try {
        seqs = this.committer.commitAll([rows])[0];
      } catch (error) {
        seqs = error as Error;
      }
      this.settle(batch, seqs);
      return;
    }
    const committing = this.writer!.commit(rows, rowBuffers(rows)).then(
      (seqs) => this.settle(batch, seqs),
      (error: Error) => this.settle(batch, error),
    );
    this.inFlight.add(committing);
    void committing.finally(() => this.inFlight.delete(committing));
  }

  /** Answers each caller of a committed batch (or, when it failed, nothing of it was written: each learns that). */
  private settle(batch: PendingStore[], seqs: Float64Array | Error): void {
    if (seqs instanceof Error) {
      for (const { reject } of batch) reject(seqs);
      return;
    }
    batch.forEach((row, i) => {
      const seq = seqs[i];
      if (seq === 0) {
        // Already stored: answer with the earlier one (committed, so this thread's connection sees it).
        const earlier = this.statements.byKey.get(row.clusterId, row.id) as Row | undefined;
        if (earlier) row.resolve({ stored: fromRow(earlier), duplicate: true });
        else row.reject(new UnavailableError(`notification ${row.id} was a duplicate, then gone (pruned)`));
        return;
      }
      const { clusterId, id, notification, severity, goldenSignal, receivedAt } = row;
      const stored = { clusterId, id, notification, severity, goldenSignal, receivedAt: new Date(receivedAt) };
      row.resolve({ stored: { ...stored, seq: BigInt(seq) }, duplicate: false });
    });
  }

  /** Batches store() has handed to commit (each at most one fsync): how well group commit batches. */
  get commits(): number {
    return this.committed;
  }

  async list(query: NotificationQuery): Promise<NotificationPage> {
    this.ensureOpen();
    const limit = checks.pageLimit(query);
    const order = checks.listOrder(query);
    const filter = this.filter(query, checks.pageStart(query));
    if (filter === undefined) return { notifications: [] };
    // Most severe first walks the (severity, seq) index backwards, as newest first walks seq.
    const orderBy = order === 'severity' ? 'severity DESC, seq DESC' : 'seq DESC';
    const sql = `SELECT ${COLUMNS} FROM notifications ${filter.where} ORDER BY ${orderBy} LIMIT ?`;
    // One more than the page: it tells whether another page follows.
    const rows = this.statement(sql).all(...filter.parameters, limit + 1) as Row[];
    const more = rows.length > limit;
    const notifications = (more ? rows.slice(0, limit) : rows).map(fromRow);
    return { notifications, nextCursor: more ? checks.nextCursorAfter(order, notifications[limit - 1]) : undefined };
  }

  async withId(id: string, clusterId?: string): Promise<alerting.StoredNotification[]> {
    this.ensureOpen();
    checks.idLookup(id, clusterId);
    const rows =
      clusterId === undefined
        ? (this.statements.withId.all(id, MAX_SAME_ID) as Row[])
        : ([this.statements.byKey.get(clusterId, id)].filter(Boolean) as Row[]);
    return rows.map(fromRow);
  }

  async countBySeverity(query: NotificationCountQuery): Promise<Map<alerting.OpniSeverity, number>> {
    this.ensureOpen();
    const filter = this.filter(query, undefined);
    if (filter === undefined) return new Map();
    const sql = `SELECT severity, count(*) FROM notifications ${filter.where} GROUP BY severity`;
    return new Map(this.statement(sql).all(...filter.parameters) as [alerting.OpniSeverity, number][]);
  }

  /** A prepared statement per distinct SQL text (the filters give a handful of shapes). */
  private statement(sql: string): Database.Statement {
    let statement = this.listings.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql).raw(true);
      this.listings.set(sql, statement);
    }
    return statement;
  }

  private filter(query: FilterQuery, start: Parameters<typeof sqliteFilter>[1]) {
    return sqliteFilter(query, start, this.statements.firstSeqReceivedFrom);
  }

  async readAfter(afterSeq: bigint, limit: number): Promise<alerting.StoredNotification[]> {
    this.ensureOpen();
    return (this.statements.after.all(afterSeq, checks.readLimit(limit)) as Row[]).map(fromRow);
  }

  /**
   * Deletes by age, then by count, oldest first, a chunk per transaction and
   * yielding to the event loop in between: a large backlog (retention just
   * lowered, say) never stalls ingest for long.
   */
  async prune(policy: RetentionPolicy, now: Date): Promise<number> {
    this.ensureOpen();
    let deleted = 0;
    const inChunks = async (deleteChunk: (chunk: number) => number, total = Infinity) => {
      while (!this.closed && deleted < total) {
        const chunk = Math.min(PRUNE_CHUNK, total - deleted);
        const changes = deleteChunk(chunk);
        deleted += changes;
        if (changes < chunk) return;
        await nextTurn();
      }
    };
    if (policy.maxAgeMs > 0) {
      const cutoff = now.getTime() - policy.maxAgeMs;
      await inChunks((chunk) => this.statements.deleteReceivedBefore.run(cutoff, chunk).changes);
    }
    if (policy.maxCount > 0 && !this.closed) {
      // max - min + 1 bounds the count from above and costs two seeks; count(*) reads a whole index.
      const span = (this.statements.span.get() as number | null) ?? 0;
      const excess = span > policy.maxCount ? (this.statements.count.get() as number) - policy.maxCount : 0;
      if (excess > 0) {
        const before = deleted;
        await inChunks((chunk) => this.statements.deleteOldest.run(chunk).changes, before + excess);
      }
    }
    return deleted;
  }

  async lastReceivedByCluster(): Promise<Map<string, Date>> {
    this.ensureOpen();
    const rows = this.statements.lastReceivedByCluster.all() as [string, number][];
    return new Map(rows.map(([clusterId, receivedAt]) => [clusterId, new Date(receivedAt)]));
  }

  /** Deletes every notification of the cluster, a chunk per transaction, yielding in between (like prune). */
  async deleteCluster(clusterId: string): Promise<number> {
    this.ensureOpen();
    // What is pending or being committed for the cluster goes too: wait until it is written.
    this.flush();
    await Promise.all(this.inFlight);
    let deleted = 0;
    while (!this.closed) {
      const changes = this.statements.deleteOfCluster.run(clusterId, PRUNE_CHUNK).changes;
      deleted += changes;
      if (changes < PRUNE_CHUNK) break;
      await nextTurn();
    }
    return deleted;
  }

  /** Commits what is pending, then closes the file; later calls fail with UnavailableError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.writer?.close();
    await Promise.all(this.inFlight);
    this.db.close();
  }

  private ensureOpen(): void {
    if (this.closed) throw new UnavailableError('the notification store is closed');
  }
}
