import type Database from 'better-sqlite3';
import { openVersionedSqlite } from '@app/runtime';
import type {
  FailedDelivery,
  ReceiverProgress,
  ReceiverProgressStore,
} from '../../receivers/delivery/receiver-progress-store.js';

/** PRAGMA user_version of the layout below; a file with another version is refused, not reinterpreted. */
export const RECEIVERS_SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS receiver_progress (
    receiver        TEXT PRIMARY KEY,
    cursor          INTEGER NOT NULL,  -- notification-store seq the receiver is done with
    delivered       INTEGER NOT NULL,
    dead_lettered   INTEGER NOT NULL,
    last_success_at INTEGER,           -- ms since the epoch
    updated_at      INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS receiver_dead_letter (
    receiver      TEXT NOT NULL,
    from_seq      INTEGER NOT NULL,
    to_seq        INTEGER NOT NULL,
    notifications TEXT NOT NULL,       -- JSON [{clusterId, id}]
    status        INTEGER,
    error         TEXT NOT NULL,
    at            INTEGER NOT NULL
  );
`;

interface ProgressRow {
  cursor: bigint;
  delivered: bigint;
  dead_lettered: bigint;
  last_success_at: bigint | null;
}

/** Receivers' progress in one small SQLite file (WAL, fsync on every save: saves are one per POST at most). */
export class SqliteReceiverProgressStore implements ReceiverProgressStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(path: string) {
    this.db = openVersionedSqlite(path, {
      kind: 'receivers',
      reader: 'this gateway',
      version: RECEIVERS_SCHEMA_VERSION,
      table: 'receiver_progress',
      schema: SCHEMA,
      synchronous: 'FULL',
      remedy: 'start the gateway version that wrote it, or move the file aside',
    });
    this.statements = {
      // Integers as BigInt: seqs are uint64.
      load: this.db
        .prepare<[string], ProgressRow>(
          'SELECT cursor, delivered, dead_lettered, last_success_at FROM receiver_progress WHERE receiver = ?',
        )
        .safeIntegers(true),
      save: this.db.prepare(
        `INSERT INTO receiver_progress (receiver, cursor, delivered, dead_lettered, last_success_at, updated_at)
         VALUES (@receiver, @cursor, @delivered, @undeliverable, @lastSuccessAt, @updatedAt)
         ON CONFLICT (receiver) DO UPDATE SET cursor = excluded.cursor, delivered = excluded.delivered,
           dead_lettered = excluded.dead_lettered, last_success_at = excluded.last_success_at,
           updated_at = excluded.updated_at`,
      ),
      recordFailedDelivery: this.db.prepare(
        `INSERT INTO receiver_dead_letter (receiver, from_seq, to_seq, notifications, status, error, at)
         VALUES (@receiver, @fromSeq, @toSeq, @notifications, @status, @error, @at)`,
      ),
    };
  }

  async load(receiver: string): Promise<ReceiverProgress | undefined> {
    const row = this.statements.load.get(receiver);
    if (!row) return undefined;
    return {
      cursor: row.cursor,
      delivered: Number(row.delivered),
      undeliverable: Number(row.dead_lettered),
      lastSuccessAt: row.last_success_at === null ? undefined : new Date(Number(row.last_success_at)),
    };
  }

  async save(receiver: string, progress: ReceiverProgress): Promise<void> {
    this.saveNow(receiver, progress);
  }

  async recordFailedDelivery(receiver: string, failure: FailedDelivery, progress: ReceiverProgress): Promise<void> {
    this.db.transaction(() => {
      this.statements.recordFailedDelivery.run({
        receiver,
        fromSeq: failure.fromSeq,
        toSeq: failure.toSeq,
        notifications: JSON.stringify(failure.notifications),
        status: failure.status ?? null,
        error: failure.error,
        at: failure.at.getTime(),
      });
      this.saveNow(receiver, progress);
    })();
  }

  async failedDeliveries(receiver: string): Promise<FailedDelivery[]> {
    const rows = this.db
      .prepare<
        [string],
        { from_seq: bigint; to_seq: bigint; notifications: string; status: bigint | null; error: string; at: bigint }
      >(
        'SELECT from_seq, to_seq, notifications, status, error, at FROM receiver_dead_letter WHERE receiver = ? ORDER BY rowid',
      )
      .safeIntegers(true)
      .all(receiver);
    return rows.map((row) => ({
      fromSeq: row.from_seq,
      toSeq: row.to_seq,
      notifications: JSON.parse(row.notifications) as FailedDelivery['notifications'],
      status: row.status === null ? undefined : Number(row.status),
      error: row.error,
      at: new Date(Number(row.at)),
    }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private saveNow(receiver: string, progress: ReceiverProgress): void {
    this.statements.save.run({
      receiver,
      cursor: progress.cursor,
      delivered: progress.delivered,
      undeliverable: progress.undeliverable,
      lastSuccessAt: progress.lastSuccessAt?.getTime() ?? null,
      updatedAt: Date.now(),
    });
  }
}
