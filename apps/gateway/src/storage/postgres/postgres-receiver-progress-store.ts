import type postgres from 'postgres';
import type {
  FailedDelivery,
  ReceiverProgress,
  ReceiverProgressStore,
} from '../../receivers/delivery/receiver-progress-store.js';
import { checkLeaseEpoch } from './postgres-delivery-leases.js';

interface ProgressRow {
  cursor: string;
  delivered: string;
  dead_lettered: string;
  last_success_at: Date | null;
}

interface FailedDeliveryRow {
  from_seq: string;
  to_seq: string;
  notifications: FailedDelivery['notifications'];
  status: number | null;
  error: string;
  at: Date;
}

/**
 * Receivers' progress in PostgreSQL, shared by every replica (tables:
 * receiver-progress-migrations.ts, applied by migrate() before this is used).
 *
 * The cursor never moves back: a save whose cursor is below the stored one
 * is dropped whole (its counters with it), so a replica that saves late — a
 * slow one, or one that lost the target to another — cannot undo progress
 * another replica recorded. Which replica delivers a target is decided by
 * its delivery lease (PostgresDeliveryLeases): a save carrying the lease's
 * epoch is refused (LeaseLostError) once another replica took the lease.
 *
 * The pool is the caller's: close() does not end it.
 */
export class PostgresReceiverProgressStore implements ReceiverProgressStore {
  constructor(private readonly sql: postgres.Sql) {}

  async load(receiver: string): Promise<ReceiverProgress | undefined> {
    const [row] = await this.sql<ProgressRow[]>`
      SELECT cursor::text, delivered::text, dead_lettered::text, last_success_at
      FROM receiver_progress WHERE receiver = ${receiver}`;
    if (!row) return undefined;
    return {
      cursor: BigInt(row.cursor),
      delivered: Number(row.delivered),
      undeliverable: Number(row.dead_lettered),
      lastSuccessAt: row.last_success_at ?? undefined,
    };
  }

  async save(receiver: string, progress: ReceiverProgress, leaseEpoch?: bigint): Promise<void> {
    if (leaseEpoch === undefined) return saveMonotonic(this.sql, receiver, progress);
    await this.sql.begin(async (tx) => {
      await checkLeaseEpoch(tx, receiver, leaseEpoch);
      await saveMonotonic(tx, receiver, progress);
    });
  }

  async recordFailedDelivery(
    receiver: string,
    failure: FailedDelivery,
    progress: ReceiverProgress,
    leaseEpoch?: bigint,
  ): Promise<void> {
    await this.sql.begin(async (tx) => {
      if (leaseEpoch !== undefined) await checkLeaseEpoch(tx, receiver, leaseEpoch);
      await tx`
        INSERT INTO receiver_dead_letter (receiver, from_seq, to_seq, notifications, status, error, at)
        VALUES (${receiver}, ${failure.fromSeq.toString()}::bigint, ${failure.toSeq.toString()}::bigint,
          ${tx.json(failure.notifications)}, ${failure.status ?? null}, ${failure.error}, ${failure.at})`;
      await saveMonotonic(tx, receiver, progress);
    });
  }

  async failedDeliveries(receiver: string): Promise<FailedDelivery[]> {
    const rows = await this.sql<FailedDeliveryRow[]>`
      SELECT from_seq::text, to_seq::text, notifications, status, error, at
      FROM receiver_dead_letter WHERE receiver = ${receiver} ORDER BY id`;
    return rows.map((row) => ({
      fromSeq: BigInt(row.from_seq),
      toSeq: BigInt(row.to_seq),
      notifications: row.notifications,
      status: row.status ?? undefined,
      error: row.error,
      at: row.at,
    }));
  }

  async close(): Promise<void> {
    // Nothing of its own to release: the pool is the caller's.
  }
}

/**
 * Upserts the progress unless the stored cursor is already past it. The
 * upsert locks the row, so of two replicas saving at once the second sees the
 * first's cursor; an equal cursor is written (a failed delivery recorded at
 * the same cursor moves only the counters).
 */
async function saveMonotonic(
  sql: postgres.Sql | postgres.TransactionSql,
  receiver: string,
  progress: ReceiverProgress,
): Promise<void> {
  await sql`
    INSERT INTO receiver_progress AS stored (receiver, cursor, delivered, dead_lettered, last_success_at, updated_at)
    VALUES (${receiver}, ${progress.cursor.toString()}::bigint, ${progress.delivered}, ${progress.undeliverable},
      ${progress.lastSuccessAt ?? null}, now())
    ON CONFLICT (receiver) DO UPDATE SET cursor = excluded.cursor, delivered = excluded.delivered,
      dead_lettered = excluded.dead_lettered, last_success_at = excluded.last_success_at,
      updated_at = excluded.updated_at
    WHERE stored.cursor <= excluded.cursor`;
}
