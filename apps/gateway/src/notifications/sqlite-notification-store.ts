import Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import type {
  IncomingNotification,
  NotificationPage,
  NotificationQuery,
  NotificationStore,
  RetentionPolicy,
  StoreResult,
} from './notification-store.js';

/** PRAGMA user_version of the layout below; a file with another version is refused, not reinterpreted. */
export const SCHEMA_VERSION = 1;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS notifications (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused after pruning: cursors stay valid
    cluster_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    severity      INTEGER NOT NULL,
    golden_signal INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,                   -- ms since the epoch
    payload       BLOB NOT NULL,                      -- alerting.Notification, protobuf
    UNIQUE (cluster_id, id)                           -- at-least-once delivery, exactly-once effect
  );
  CREATE INDEX IF NOT EXISTS notifications_by_cluster ON notifications (cluster_id, seq);
  CREATE INDEX IF NOT EXISTS notifications_by_received ON notifications (received_at);
`;

interface Row {
  seq: number;
  cluster_id: string;
  id: string;
  severity: number;
  golden_signal: number;
  received_at: number;
  payload: Buffer;
}

interface PendingStore {
  incoming: IncomingNotification;
  resolve: (result: StoreResult) => void;
  reject: (error: Error) => void;
}

/**
 * The gateway's notifications in one SQLite file (WAL, synchronous=FULL: a
 * stored notification survives power loss before its Resolve goes out).
 * Stores arriving in the same event-loop turn share one transaction and one
 * fsync (group commit); each is deduplicated by (cluster, id).
 */
export class SqliteNotificationStore implements NotificationStore {
  private readonly db: Database.Database;
  private readonly statements;
  private pending: PendingStore[] = [];

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const empty =
      this.db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'notifications'").pluck().get() === 0;
    if (!empty && version !== SCHEMA_VERSION) {
      this.db.close();
      throw new Error(
        `${path} has notification schema version ${version}, this gateway reads version ${SCHEMA_VERSION}: ` +
          'start the gateway version that wrote it, or move the file aside',
      );
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    this.statements = {
      insert: this.db.prepare(
        `INSERT INTO notifications (cluster_id, id, severity, golden_signal, received_at, payload)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cluster_id, id) DO NOTHING`,
      ),
      byKey: this.db.prepare('SELECT * FROM notifications WHERE cluster_id = ? AND id = ?'),
      after: this.db.prepare('SELECT * FROM notifications WHERE seq > ? ORDER BY seq LIMIT ?'),
      deleteOlder: this.db.prepare('DELETE FROM notifications WHERE received_at < ?'),
      count: this.db.prepare('SELECT count(*) FROM notifications').pluck(),
      deleteOldest: this.db.prepare(
        'DELETE FROM notifications WHERE seq IN (SELECT seq FROM notifications ORDER BY seq LIMIT ?)',
      ),
    };
  }

  store(incoming: IncomingNotification): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.commitPending());
      this.pending.push({ incoming, resolve, reject });
    });
  }

  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    let results: StoreResult[];
    try {
      results = this.db.transaction(() =>
        batch.map(({ incoming }) => {
          const { clusterId, id, notification, severity, goldenSignal, receivedAt } = incoming;
          const payload = alerting.Notification.encode(notification).finish();
          const inserted = this.statements.insert.run(
            clusterId,
            id,
            severity,
            goldenSignal,
            receivedAt.getTime(),
            payload,
          );
          if (inserted.changes === 1) {
            const stored: alerting.StoredNotification = {
              clusterId,
              id,
              notification,
              severity,
              goldenSignal,
              receivedAt,
              seq: BigInt(inserted.lastInsertRowid),
            };
            return { stored, duplicate: false };
          }
          return { stored: toStored(this.statements.byKey.get(clusterId, id) as Row), duplicate: true };
        }),
      )();
    } catch (error) {
      for (const { reject } of batch) reject(error as Error);
      return;
    }
    batch.forEach(({ resolve }, i) => resolve(results[i]));
  }

  async list(query: NotificationQuery): Promise<NotificationPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError('limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const where: string[] = [];
    const params: (string | number)[] = [];
    const oneOf = (column: string, values: readonly (string | number)[] | undefined) => {
      if (!values?.length) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    oneOf('cluster_id', query.clusterIds);
    oneOf('severity', query.severities);
    oneOf('golden_signal', query.goldenSignals);
    const condition = (sql: string, value: number) => {
      where.push(sql);
      params.push(value);
    };
    if (query.since) condition('received_at >= ?', query.since.getTime());
    if (query.until) condition('received_at < ?', query.until.getTime());
    if (query.cursor) condition('seq < ?', decodeCursor(query.cursor));
    const sql =
      `SELECT * FROM notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY seq DESC LIMIT ${limit + 1}`;
    const rows = this.db.prepare(sql).all(...params) as Row[];
    const page = rows.slice(0, limit).map(toStored);
    return {
      notifications: page,
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : undefined,
    };
  }

  async readAfter(afterSeq: bigint, limit: number): Promise<alerting.StoredNotification[]> {
    return (this.statements.after.all(afterSeq, limit) as Row[]).map(toStored);
  }

  async prune(policy: RetentionPolicy, now: Date): Promise<number> {
    return this.db.transaction(() => {
      let deleted = 0;
      if (policy.maxAgeMs > 0) deleted += this.statements.deleteOlder.run(now.getTime() - policy.maxAgeMs).changes;
      if (policy.maxCount > 0) {
        const excess = (this.statements.count.get() as number) - policy.maxCount;
        if (excess > 0) deleted += this.statements.deleteOldest.run(excess).changes;
      }
      return deleted;
    })();
  }

  async close(): Promise<void> {
    if (this.pending.length > 0) this.commitPending();
    if (this.db.open) this.db.close();
  }
}

function toStored(row: Row): alerting.StoredNotification {
  return {
    clusterId: row.cluster_id,
    id: row.id,
    notification: alerting.Notification.decode(row.payload),
    severity: row.severity,
    goldenSignal: row.golden_signal,
    receivedAt: new Date(row.received_at),
    seq: BigInt(row.seq),
  };
}

/** Cursors are opaque to clients: the seq of the last item of a page, base64url. */
function encodeCursor(seq: bigint): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw new InvalidArgumentError('cursor', 'is not a cursor this gateway issued (pass nextCursor back as is)');
  return Number(match[1]);
}
