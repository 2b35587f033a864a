import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type postgres from 'postgres';
import { LeaseLostError, type DeliveryLeases } from '../../receivers/delivery/delivery-leases.js';

/**
 * This process among the replicas: its host name (the pod's, on Kubernetes)
 * and a random suffix, so that a restarted replica is a new holder and two
 * processes on one host are told apart.
 */
export function replicaInstance(): string {
  return `${hostname()}-${randomBytes(4).toString('hex')}`;
}

/**
 * Delivery leases in PostgreSQL (table delivery_leases, migration 8): a row
 * per target. Expiry is kept on the database's clock, so replicas' clocks
 * need not agree. Acquiring is one upsert that wins only when the row is
 * absent, expired, released or already ours, and then bumps the epoch; of
 * replicas racing, the row lock lets one through and the others see its
 * lease. The epoch is never reset (release expires the row, it does not
 * delete it), so an old holder's epoch never matches again:
 * PostgresReceiverProgressStore refuses saves carrying it.
 *
 * The pool is the caller's.
 */
export class PostgresDeliveryLeases implements DeliveryLeases {
  constructor(
    private readonly sql: postgres.Sql,
    readonly ttlMs: number,
    readonly holder: string = replicaInstance(),
  ) {}

  async acquire(key: string): Promise<bigint | undefined> {
    const [row] = await this.sql<{ epoch: string }[]>`
      INSERT INTO delivery_leases AS lease (key, holder, epoch, acquired_at, expires_at)
      VALUES (${key}, ${this.holder}, 1, now(), now() + ${this.ttlMs} * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, epoch = lease.epoch + 1,
        acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
      WHERE lease.expires_at <= now() OR lease.holder = excluded.holder
      RETURNING epoch::text`;
    return row ? BigInt(row.epoch) : undefined;
  }

  async renew(key: string, epoch: bigint): Promise<boolean> {
    // Even once expired: while the epoch is ours nobody took over, so nobody else delivered.
    const rows = await this.sql`
      UPDATE delivery_leases SET expires_at = now() + ${this.ttlMs} * interval '1 millisecond'
      WHERE key = ${key} AND holder = ${this.holder} AND epoch = ${epoch.toString()}::bigint
      RETURNING 1`;
    return rows.length === 1;
  }

  async release(key: string, epoch: bigint): Promise<void> {
    await this.sql`
      UPDATE delivery_leases SET expires_at = '-infinity'
      WHERE key = ${key} AND holder = ${this.holder} AND epoch = ${epoch.toString()}::bigint`;
  }
}

/**
 * Throws LeaseLostError unless `epoch` is still the lease's on `key`. Run in
 * the transaction of a progress save: the share lock makes a takeover wait
 * for the save, so the new holder reads the cursor it wrote — or the save
 * comes after the takeover and is refused.
 */
export async function checkLeaseEpoch(tx: postgres.TransactionSql, key: string, epoch: bigint): Promise<void> {
  const rows = await tx`
    SELECT 1 FROM delivery_leases WHERE key = ${key} AND epoch = ${epoch.toString()}::bigint FOR SHARE`;
  if (rows.length === 0) throw new LeaseLostError(key, epoch);
}
