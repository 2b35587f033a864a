import type Database from 'better-sqlite3';
import type { alerting } from '@app/proto';
import { decodeNotification } from '../../notifications/store/notification-payload.js';

/**
 * PRAGMA user_version of the layout below; a file of version 1 is upgraded
 * (sqlite-notification-upgrade.ts), one of another version refused, not reinterpreted.
 * 2: dedupe_key, the id index and the notifications_text search index.
 */
export const SCHEMA_VERSION = 2;

/**
 * The search index: each notification's searched text (searchTextOf) under
 * its seq. Contentless (the text is not stored twice, only indexed), with
 * deletes (contentless_delete) so that retention and deleteCluster remove
 * it by a trigger. Tokens are runs of letters, digits, marks and private-use
 * characters, case-folded, as searchWords splits the query.
 */
export const SEARCH_SCHEMA = `
  CREATE VIRTUAL TABLE IF NOT EXISTS notifications_text USING fts5(
    words, content='', contentless_delete=1,
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* M* Co'"
  );
  CREATE TRIGGER IF NOT EXISTS notifications_text_delete AFTER DELETE ON notifications BEGIN
    DELETE FROM notifications_text WHERE rowid = old.seq;
  END;
`;

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS notifications (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: never reused after pruning, so receivers' cursors stay valid
    cluster_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    severity      INTEGER NOT NULL,
    golden_signal INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,                  -- ms since the epoch; never decreases along seq
    payload       BLOB NOT NULL,                     -- alerting.Notification, protobuf
    dedupe_key    TEXT,                              -- its opni_dedupe_key property (version 2)
    UNIQUE (cluster_id, id)                          -- ingest's deduplication key
  );
  -- Each listing filter walks its index in seq order and stops at the page's end.
  CREATE INDEX IF NOT EXISTS notifications_by_cluster ON notifications (cluster_id, seq);
  CREATE INDEX IF NOT EXISTS notifications_by_severity ON notifications (severity, seq);
  CREATE INDEX IF NOT EXISTS notifications_by_golden_signal ON notifications (golden_signal, seq);
  CREATE INDEX IF NOT EXISTS notifications_by_received_at ON notifications (received_at);
  CREATE INDEX IF NOT EXISTS notifications_by_dedupe_key ON notifications (dedupe_key, seq) WHERE dedupe_key IS NOT NULL;
  CREATE INDEX IF NOT EXISTS notifications_by_id ON notifications (id);
  ${SEARCH_SCHEMA}
`;

export const COLUMNS = 'seq, cluster_id, id, severity, golden_signal, received_at, payload';

/** A row of `notifications` as the statements read it (raw, in COLUMNS order). */
export type Row = [
  seq: number,
  clusterId: string,
  id: string,
  severity: number,
  goldenSignal: number,
  receivedAt: number,
  payload: Buffer,
];

/** The statements the store runs on its own thread's connection (the writer thread has its own). */
export function prepareStatements(db: Database.Database) {
  return {
    lastReceivedAt: db.prepare('SELECT max(received_at) FROM notifications').pluck(),
    byKey: db.prepare(`SELECT ${COLUMNS} FROM notifications WHERE cluster_id = ? AND id = ?`).raw(true),
    withId: db.prepare(`SELECT ${COLUMNS} FROM notifications WHERE id = ? ORDER BY seq DESC LIMIT ?`).raw(true),
    /** The first seq received at or after an instant (undefined when none is). */
    firstSeqReceivedFrom: db
      .prepare('SELECT seq FROM notifications WHERE received_at >= ? ORDER BY received_at, seq LIMIT 1')
      .pluck() as Database.Statement<[number], number>,
    after: db.prepare(`SELECT ${COLUMNS} FROM notifications WHERE seq > ? ORDER BY seq LIMIT ?`).raw(true),
    deleteReceivedBefore: db.prepare(
      'DELETE FROM notifications WHERE seq IN (SELECT seq FROM notifications WHERE received_at < ? LIMIT ?)',
    ),
    // The (cluster_id, id) key is a cluster-first index: no extra index needed.
    deleteOfCluster: db.prepare(
      'DELETE FROM notifications WHERE seq IN (SELECT seq FROM notifications WHERE cluster_id = ? LIMIT ?)',
    ),
    deleteOldest: db.prepare(
      'DELETE FROM notifications WHERE seq IN (SELECT seq FROM notifications ORDER BY seq LIMIT ?)',
    ),
    // Two subqueries, one B-tree seek each: max(seq) - min(seq) in one SELECT scans the table.
    span: db.prepare('SELECT (SELECT max(seq) FROM notifications) - (SELECT min(seq) FROM notifications) + 1').pluck(),
    count: db.prepare('SELECT count(*) FROM notifications').pluck(),
    // The newest seq of each cluster from the (cluster_id, seq) index, then one row each: received_at
    // never decreases along seq, so the newest seq is the last received.
    lastReceivedByCluster: db
      .prepare(
        `SELECT n.cluster_id, n.received_at FROM notifications n
         JOIN (SELECT max(seq) AS seq FROM notifications GROUP BY cluster_id) newest ON n.seq = newest.seq`,
      )
      .raw(true),
  };
}

export function fromRow([
  seq,
  clusterId,
  id,
  severity,
  goldenSignal,
  receivedAt,
  payload,
]: Row): alerting.StoredNotification {
  return {
    clusterId,
    id,
    notification: decodeNotification(payload),
    severity,
    goldenSignal,
    receivedAt: new Date(receivedAt),
    seq: BigInt(seq),
  };
}
