import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import {
  InvalidArgumentError,
  openVersionedSqlite,
  SqliteWriterThread,
  UnavailableError,
  type Committer,
} from '@app/runtime';
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
import { decodeCursor, encodeCursor } from '../../notifications/store/notification-cursor.js';
import { pageLimit, readLimit } from '../../notifications/store/notification-query-checks.js';
import { COLUMNS, fromRow, prepareStatements, SCHEMA, SCHEMA_VERSION, type Row } from './sqlite-notification-schema.js';

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
    return new Promise<StoreResult>((resolve, reject) => {
      this.pending.push({ clusterId, id, notification, severity, goldenSignal, receivedAt, payload, resolve, reject });
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
    const limit = pageLimit(query);
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const filter = this.filter(query, before);
    if (filter === undefined) return { notifications: [] };
    const sql = `SELECT ${COLUMNS} FROM notifications ${filter.where} ORDER BY seq DESC LIMIT ?`;
    // One more than the page: it tells whether another page follows.
    const rows = this.statement(sql).all(...filter.parameters, limit + 1) as Row[];
    const more = rows.length > limit;
    const notifications = (more ? rows.slice(0, limit) : rows).map(fromRow);
    return { notifications, nextCursor: more ? encodeCursor(notifications[limit - 1].seq) : undefined };
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

  /** The WHERE clause of a query's filters; undefined when nothing can match (since is after the newest). */
  private filter(
    query: NotificationCountQuery & Pick<NotificationQuery, 'severities'>,
    before: bigint | undefined,
  ): { where: string; parameters: unknown[] } | undefined {
    const since = instant('since', query.since);
    const until = instant('until', query.until);
    if (since !== undefined && until !== undefined && until <= since)
      throw new InvalidArgumentError('until', 'must be later than since');

    // received_at never decreases along seq (see store()), so a time range is a seq range: two
    // index seeks, then every filter walks its (column, seq) index; no sort of the whole range.
    const low = since === undefined ? undefined : this.statements.firstSeqReceivedFrom.get(since);
    const high = until === undefined ? undefined : this.statements.firstSeqReceivedFrom.get(until);
    if (since !== undefined && low === undefined) return undefined;

    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const among = (column: string, values: readonly unknown[] | undefined) => {
      if (!values?.length) return;
      // One parameter however many values: a JSON array, read by json_each.
      conditions.push(`${column} IN (SELECT value FROM json_each(?))`);
      parameters.push(JSON.stringify([...new Set(values)]));
    };
    among('cluster_id', query.clusterIds);
    among('severity', query.severities);
    among('golden_signal', query.goldenSignals);
    const seqBound = (condition: string, value: unknown) => {
      if (value === undefined) return;
      conditions.push(condition);
      parameters.push(value);
    };
    seqBound('seq >= ?', low);
    seqBound('seq < ?', high);
    seqBound('seq < ?', before);
    return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', parameters };
  }

  async readAfter(afterSeq: bigint, limit: number): Promise<alerting.StoredNotification[]> {
    this.ensureOpen();
    return (this.statements.after.all(afterSeq, readLimit(limit)) as Row[]).map(fromRow);
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

function instant(field: string, date: Date | undefined): number | undefined {
  if (date === undefined) return undefined;
  const time = date.getTime();
  if (Number.isNaN(time)) throw new InvalidArgumentError(field, 'is not a valid time');
  return time;
}
