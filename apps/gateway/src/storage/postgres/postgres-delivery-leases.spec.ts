import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseLostError } from '../../receivers/delivery/delivery-leases.js';
import type { ReceiverProgress } from '../../receivers/delivery/receiver-progress-store.js';
import { useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresDeliveryLeases } from './postgres-delivery-leases.js';
import { PostgresReceiverProgressStore } from './postgres-receiver-progress-store.js';

const database = useMigratedDatabase();
/** One replica's leases, on a pool of its own. */
const replica = (ttlMs = 60_000, name?: string) => new PostgresDeliveryLeases(database.replicaPool(), ttlMs, name);

beforeEach(async () => {
  await database.replicaPool()`TRUNCATE delivery_leases, receiver_progress, receiver_dead_letter`;
});

const at = (cursor: number): ReceiverProgress => ({ cursor: BigInt(cursor), delivered: cursor, undeliverable: 0 });

describe('PostgresDeliveryLeases', () => {
  it('names each replica by host and a random suffix', () => {
    const [a, b] = [replica(), replica()];
    expect(a.holder).toMatch(/^.+-[0-9a-f]{8}$/);
    expect(a.holder).not.toBe(b.holder);
  });

  it('of replicas racing for a new lease, and again for an expired one, exactly one wins', async () => {
    const racers = Array.from({ length: 6 }, () => replica(300));
    const first = await Promise.all(racers.map((leases) => leases.acquire('ops')));
    expect(first.filter((epoch) => epoch !== undefined)).toEqual([1n]);

    await sleep(350);
    const second = await Promise.all(racers.map((leases) => leases.acquire('ops')));
    expect(second.filter((epoch) => epoch !== undefined)).toEqual([2n]);
  });

  it('a held lease stays with its holder while renewed; other keys are independent', async () => {
    // Renewed every 300 ms for twice its ttl: a renewal may come up to 700 ms late on a loaded machine.
    const [a, b] = [replica(1000), replica(1000)];
    expect(await a.acquire('ops')).toBe(1n);
    for (let i = 0; i < 7; i++) {
      await sleep(300);
      expect(await a.renew('ops', 1n)).toBe(true);
      expect(await b.acquire('ops')).toBeUndefined();
    }
    expect(await b.acquire('alertmanager:ops')).toBe(1n);
  });

  it('an expired lease is taken over with a higher epoch; the old holder can neither renew nor save progress', async () => {
    const [a, b] = [replica(200), replica(200)];
    const sql = database.replicaPool();
    const [storeA, storeB] = [new PostgresReceiverProgressStore(sql), new PostgresReceiverProgressStore(sql)];
    const old = (await a.acquire('ops'))!;
    await storeA.save('ops', at(10), old);

    await sleep(250);
    const taken = (await b.acquire('ops'))!;
    expect(taken).toBeGreaterThan(old);
    expect(await a.renew('ops', old)).toBe(false);

    await expect(storeA.save('ops', at(20), old)).rejects.toBeInstanceOf(LeaseLostError);
    const failure = { fromSeq: 11n, toSeq: 20n, notifications: [], error: 'HTTP 400', status: 400, at: new Date() };
    await expect(storeA.recordFailedDelivery('ops', failure, at(20), old)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await storeB.failedDeliveries('ops')).toEqual([]);
    expect(await storeB.load('ops')).toMatchObject({ cursor: 10n });

    await storeB.save('ops', at(15), taken);
    expect(await storeB.load('ops')).toMatchObject({ cursor: 15n });
  });

  it('a released lease is taken at once, and never again with an epoch used before', async () => {
    const [a, b] = [replica(60_000), replica(60_000)];
    expect(await a.acquire('ops')).toBe(1n);
    await a.release('ops', 1n);
    expect(await b.acquire('ops')).toBe(2n);
    // A release of an epoch that is not the lease's any more changes nothing.
    await a.release('ops', 1n);
    expect(await a.acquire('ops')).toBeUndefined();
  });

  it('a holder that lost track of its lease takes it again with a new epoch, fencing off its own old saves', async () => {
    const a = replica(60_000);
    const store = new PostgresReceiverProgressStore(database.replicaPool());
    expect(await a.acquire('ops')).toBe(1n);
    expect(await a.acquire('ops')).toBe(2n);
    await expect(store.save('ops', at(5), 1n)).rejects.toBeInstanceOf(LeaseLostError);
    await store.save('ops', at(5), 2n);
    expect(await store.load('ops')).toMatchObject({ cursor: 5n });
  });

  it('a save holding the lease makes a takeover wait for it: the new holder reads the cursor it wrote', async () => {
    const [a, b] = [replica(200), replica(200)];
    const sql = database.replicaPool();
    const old = (await a.acquire('ops'))!;
    await sleep(250);
    // A's save, in flight as the lease expires: its transaction holds the lease row while B asks for it.
    const saving = sql.begin(async (tx) => {
      await tx`SELECT 1 FROM delivery_leases WHERE key = 'ops' AND epoch = ${old.toString()}::bigint FOR SHARE`;
      let tookOver = false;
      const takeover = b.acquire('ops').finally(() => (tookOver = true));
      await sleep(100);
      expect(tookOver).toBe(false);
      await tx`INSERT INTO receiver_progress VALUES ('ops', 30, 30, 0, NULL, now())`;
      return { takeover }; // not the promise itself: the transaction would wait for it to commit
    });
    const taken = await (await saving).takeover;
    expect(taken).toBe(old + 1n);
    expect(await new PostgresReceiverProgressStore(sql).load('ops')).toMatchObject({ cursor: 30n });
  });
});
