import { Logger } from '@nestjs/common';
import { systemClock } from '@app/runtime';
import { waitFor } from '@app/testing';
import { useMigratedDatabase } from '../../storage/postgres/fixtures/migrated-database.js';
import { PostgresDeliveryLeases } from '../../storage/postgres/postgres-delivery-leases.js';
import { DeliveryLease } from './delivery-lease.js';

const database = useMigratedDatabase();
const logger = new Logger('delivery-lease.spec');

beforeEach(async () => {
  await database.replicaPool()`TRUNCATE delivery_leases`;
});

/** One replica's hold on the lease of `ops`, on a pool of its own (`sql`, to cut it off). */
function replica(ttlMs: number) {
  const sql = database.replicaPool();
  const lease = new DeliveryLease(new PostgresDeliveryLeases(sql, ttlMs), 'ops', { clock: systemClock, logger });
  return { lease, sql };
}

const never = new AbortController().signal;
const nothing = async () => undefined;

describe('DeliveryLease', () => {
  const held: DeliveryLease[] = [];
  afterEach(async () => {
    for (const lease of held.splice(0)) await lease.release();
  });
  const take = async (lease: DeliveryLease, stop = never, whileWaiting = nothing) => {
    held.push(lease);
    return (await lease.acquire(stop, whileWaiting))!;
  };

  it('keeps the lease by renewing it, and counts it lost as soon as a renewal finds it taken over', async () => {
    const a = replica(600);
    const term = await take(a.lease);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(a.lease.held).toBe(true);

    // Another replica takes it (as if A had stopped renewing), with the next epoch.
    const sql = database.replicaPool();
    await sql`UPDATE delivery_leases SET expires_at = now() - interval '1 second'`;
    const b = replica(600);
    const taken = await take(b.lease);
    expect(taken.epoch).toBe(term.epoch + 1n);
    await waitFor(() => term.signal.aborted, { timeoutMs: 1000, description: 'A to notice at its next renewal' });
    expect(a.lease.held).toBe(false);
    expect(b.lease.held).toBe(true);
  });

  it('gives the lease up before it can expire when it cannot be renewed: no other replica may deliver yet', async () => {
    const a = replica(900);
    const askedAt = Date.now();
    const term = await take(a.lease);
    await a.sql.end({ timeout: 0 }); // the database is out of reach from A: renewals fail
    await waitFor(() => term.signal.aborted, { timeoutMs: 2000, description: 'A to count its lease lost' });
    const lostAfter = Date.now() - askedAt;
    expect(lostAfter).toBeLessThan(900);
    expect(lostAfter).toBeGreaterThanOrEqual(600);
  });

  it('a waiting replica retries every ttl/3, refreshing meanwhile, and takes over once the holder releases', async () => {
    const [a, b] = [replica(900), replica(900)];
    await take(a.lease);
    let refreshes = 0;
    const stop = new AbortController();
    const waiting = take(b.lease, stop.signal, async () => void refreshes++);
    await waitFor(() => refreshes >= 2, { timeoutMs: 2000, description: 'B to try twice' });
    expect(b.lease.held).toBe(false);

    await a.lease.release();
    const term = await waiting;
    expect(term.epoch).toBe(2n);
    expect(b.lease.held).toBe(true);
  });

  it('stops waiting when stopped', async () => {
    const [a, b] = [replica(900), replica(900)];
    await take(a.lease);
    const stop = new AbortController();
    const waiting = b.lease.acquire(stop.signal, nothing);
    stop.abort();
    expect(await waiting).toBeUndefined();
  });
});
