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

/**
 * The leases of one replica whose renewals can be frozen (a process paused,
 * e.g. by a long GC or SIGSTOP): a renewal asked while frozen is sent once
 * thawed. Counts the renewals that reached the database.
 */
class FreezableLeases extends PostgresDeliveryLeases {
  renewals = 0;
  private frozen?: { thawed: Promise<void>; thaw: () => void };

  freeze(): void {
    let thaw!: () => void;
    const thawed = new Promise<void>((resolve) => (thaw = resolve));
    this.frozen = { thawed, thaw };
  }

  thaw(): void {
    this.frozen?.thaw();
    this.frozen = undefined;
  }

  override async renew(key: string, epoch: bigint): Promise<boolean> {
    await this.frozen?.thawed;
    this.renewals++;
    return super.renew(key, epoch);
  }
}

/** One replica's hold on the lease of `ops`, on a pool of its own (`sql`, to cut it off). */
function replica(ttlMs: number) {
  const sql = database.replicaPool();
  const leases = new FreezableLeases(sql, ttlMs);
  const lease = new DeliveryLease(leases, 'ops', { clock: systemClock, logger });
  return { lease, leases, sql };
}

const nothing = async () => undefined;

describe('DeliveryLease', () => {
  const held: DeliveryLease[] = [];
  let stopWaiting: AbortController;
  beforeEach(() => {
    stopWaiting = new AbortController();
  });
  afterEach(async () => {
    stopWaiting.abort(); // a test that failed leaves no acquire looping after it
    for (const lease of held.splice(0)) await lease.release();
  });
  const take = async (lease: DeliveryLease, stop?: AbortSignal, whileWaiting = nothing) => {
    held.push(lease);
    const signal = stop ? AbortSignal.any([stop, stopWaiting.signal]) : stopWaiting.signal;
    const term = await lease.acquire(signal, whileWaiting);
    if (!term) throw new Error('stopped before the lease was taken');
    return term;
  };

  it('keeps the lease by renewing it, and counts it lost as soon as a renewal finds it taken over', async () => {
    // A ttl that leaves A's deadline (0.8 ttl after a renewal) far from the takeover below.
    const a = replica(1500);
    const term = await take(a.lease);
    // Renewed every ttl/3: held well past the ttl it was first taken for.
    await waitFor(() => a.leases.renewals >= 4, { timeoutMs: 5000, description: 'A to renew its lease 4 times' });
    expect(a.lease.held).toBe(true);
    expect(term.signal.aborted).toBe(false);

    // A stops renewing; its lease expires and another replica takes it, with the next epoch.
    a.leases.freeze();
    await database.replicaPool()`UPDATE delivery_leases SET expires_at = now() - interval '1 second'`;
    const b = replica(1500);
    const taken = await take(b.lease);
    expect(taken.epoch).toBe(term.epoch + 1n);

    // A's next renewal finds the lease taken over: lost at once, for that reason.
    a.leases.thaw();
    await waitFor(() => term.signal.aborted, { timeoutMs: 2000, description: 'A to notice at its next renewal' });
    expect((term.signal.reason as Error).message).toBe('taken over by another replica');
    expect(a.lease.held).toBe(false);
    expect(b.lease.held).toBe(true);
  });

  it('gives the lease up before it can expire when it cannot be renewed: no other replica may deliver yet', async () => {
    const a = replica(900);
    const askedAt = Date.now();
    const term = await take(a.lease);
    let lostAt = 0;
    term.signal.addEventListener('abort', () => (lostAt = Date.now()));
    await a.sql.end({ timeout: 0 }); // the database is out of reach from A: renewals fail
    await waitFor(() => lostAt > 0, { timeoutMs: 2000, description: 'A to count its lease lost' });
    const lostAfter = lostAt - askedAt;
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
    const waiting = b.lease.acquire(AbortSignal.any([stop.signal, stopWaiting.signal]), nothing);
    stop.abort();
    expect(await waiting).toBeUndefined();
  });
});
