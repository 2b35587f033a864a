import type postgres from 'postgres';
import type { alerting } from '@app/proto';
import { searchIndexOf } from '../../notifications/store/notification-search-index.js';
import type { IncomingNotification, StoreResult } from '../../notifications/store/notification-store.js';
import { decodeNotification } from '../../notifications/store/notification-payload.js';
import { NOTIFICATIONS_STORED_CHANNEL } from './postgres-stored-notifications.js';

/** The columns of notifications, in the order fromRow reads them. */
export const NOTIFICATION_COLUMNS = ['seq', 'cluster_id', 'id', 'severity', 'golden_signal', 'received_at', 'payload'];

export interface NotificationRow {
  /** int8: a string as postgres.js reads it by default, a bigint as written. */
  seq: string | bigint;
  cluster_id: string;
  id: string;
  severity: number;
  golden_signal: number;
  received_at: Date;
  payload: Uint8Array;
}

/** The columns an insert writes: the read ones, and what the search reads (notification-search-migrations.ts). */
const INSERT_COLUMNS = [...NOTIFICATION_COLUMNS, 'dedupe_key', 'search_words'];

/**
 * Search words as a tsvector literal: each quoted, so taken as it is (no
 * parser, no stemming). Words hold only letters, digits and marks: no quote
 * or backslash to escape.
 */
export function tsvectorLiteral(words: string): string {
  return words === '' ? '' : `'${words.split(' ').join("' '")}'`;
}

/** A store() call waiting for its batch: the notification and its protobuf bytes. */
export interface PendingNotification {
  incoming: IncomingNotification;
  payload: Uint8Array;
}

/** Rows per INSERT statement: 9 parameters each, well under PostgreSQL's 65,535 per statement. */
const INSERT_CHUNK = 1_000;

/**
 * Stores a batch of notifications in one transaction and answers each, in
 * order: the row written, or the one stored earlier under its (cluster, id).
 *
 * Seqs are strictly increasing in commit order, across every connection and
 * replica. The transaction first locks the single notification_feed row and
 * holds that lock until it commits, so batches take their seqs one after the
 * other: a batch reads last_seq only once the previous holder's transaction
 * has ended. PostgreSQL makes a transaction visible to new snapshots before it
 * releases its locks, so once a batch holds its seqs, every lower seq already
 * committed is visible to every snapshot taken from then on; a reader that
 * sees this batch's rows took its snapshot after this batch committed, and so
 * sees all lower seqs too. A reader resuming after seq N therefore never
 * misses a row below N that appears later. A batch that fails releases the
 * lock with last_seq unchanged, so the next batch reuses its seqs: no hole.
 * (Deleting rows, by retention or deleteCluster, leaves holes, which no
 * reader waits for.)
 *
 * The same lock makes deduplication exact: every insert happens under it, so
 * the lookup of existing keys (its own statement, hence its own snapshot under
 * read committed, taken after the lock was granted) sees every row committed
 * before, and the UNIQUE (cluster_id, id) constraint is the backstop. received_at
 * is stamped here, under the lock, never below the last one stamped: as in the
 * SQLite store, a time range is a seq range. The price: the stores of every
 * replica take turns on one row for a few round trips and a commit per batch,
 * which group commit (one batch per event-loop turn) spreads over the batch,
 * and pipelining cuts to four: BEGIN, lock and lookup, writes, COMMIT.
 */
export async function storeBatch(sql: postgres.Sql, batch: readonly PendingNotification[]): Promise<StoreResult[]> {
  return sql.begin('isolation level read committed', async (tx) => {
    // Sent together (one round trip): the lookup still runs after the lock is granted, statements on
    // one connection running one after the other, so its snapshot is taken under the lock.
    const [[feed], existing] = await Promise.all([
      tx<{ last_seq: string; last_received_at: Date }[]>`
        SELECT last_seq, last_received_at FROM notification_feed FOR UPDATE`,
      // A join from the keys, not `(cluster_id, id) IN (SELECT … unnest …)`: that is planned as a hash
      // semi-join over a scan of the whole table, this as one probe of the unique index per key.
      tx<NotificationRow[]>`
        SELECT ${tx(NOTIFICATION_COLUMNS.map((column) => `n.${column}`))}
        FROM unnest(${batch.map((p) => p.incoming.clusterId)}::text[], ${batch.map((p) => p.incoming.id)}::text[])
          AS keys (cluster_id, id)
        JOIN notifications n USING (cluster_id, id)`,
    ]);
    const stored = new Map(existing.map((row) => [keyOf(row.cluster_id, row.id), fromRow(row)]));

    let lastSeq = BigInt(feed.last_seq);
    let lastReceivedAt = feed.last_received_at.getTime();
    const rows: (NotificationRow & { dedupe_key: string | null; search_words: string })[] = [];
    const results = batch.map(({ incoming, payload }): StoreResult => {
      const key = keyOf(incoming.clusterId, incoming.id);
      const earlier = stored.get(key);
      if (earlier) return { stored: earlier, duplicate: true };
      lastSeq += 1n;
      lastReceivedAt = Math.max(lastReceivedAt, incoming.receivedAt.getTime());
      const { clusterId, id, notification, severity, goldenSignal } = incoming;
      const receivedAt = new Date(lastReceivedAt);
      const { dedupeKey, words } = searchIndexOf(notification);
      rows.push({
        seq: lastSeq,
        cluster_id: clusterId,
        id,
        severity,
        golden_signal: goldenSignal,
        received_at: receivedAt,
        payload,
        dedupe_key: dedupeKey,
        search_words: tsvectorLiteral(words),
      });
      const written = { clusterId, id, notification, severity, goldenSignal, receivedAt, seq: lastSeq };
      stored.set(key, written); // a second store() of it in the same batch is its duplicate
      return { stored: written, duplicate: false };
    });
    if (rows.length === 0) return results;
    const writes = [
      tx`UPDATE notification_feed SET last_seq = ${lastSeq}, last_received_at = ${new Date(lastReceivedAt)}`,
      // Delivered to every replica's listener when this commits (postgres-stored-notifications.ts).
      tx`SELECT pg_notify(${NOTIFICATIONS_STORED_CHANNEL}, ${lastSeq.toString()})`,
    ];
    for (let start = 0; start < rows.length; start += INSERT_CHUNK)
      writes.push(tx`INSERT INTO notifications ${tx(rows.slice(start, start + INSERT_CHUNK), INSERT_COLUMNS)}`);
    await Promise.all(writes); // pipelined too
    return results;
  });
}

function keyOf(clusterId: string, id: string): string {
  return JSON.stringify([clusterId, id]);
}

export function fromRow(row: NotificationRow): alerting.StoredNotification {
  return {
    clusterId: row.cluster_id,
    id: row.id,
    notification: decodeNotification(row.payload),
    severity: row.severity,
    goldenSignal: row.golden_signal,
    receivedAt: row.received_at,
    seq: BigInt(row.seq),
  };
}
