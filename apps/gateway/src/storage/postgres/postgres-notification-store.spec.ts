import postgres from 'postgres';
import { startPostgres, startPostgresWithStandby, type PostgresCluster, type PostgresWithStandby } from '@app/testing';
import type { StoreResult } from '../../notifications/store/notification-store.js';
import { incoming } from '../notification-store-contract/notification-store-harness.js';
import { GATEWAY_MIGRATIONS } from './gateway-migrations.js';
import { PostgresNotificationStore } from './postgres-notification-store.js';
import { migrate } from './schema-migrations.js';

const pools: postgres.Sql[] = [];
/** A pool of its own: a replica, or a reader, with its own connections. */
function pool(url: string, max = 2): postgres.Sql {
  const sql = postgres(url, { max, onnotice: () => undefined, connect_timeout: 5 });
  pools.push(sql);
  return sql;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end({ timeout: 5 })));
});

describe('PostgresNotificationStore: several replicas on one database', () => {
  let cluster: PostgresCluster;
  let url: string;
  beforeAll(async () => (cluster = await startPostgres()));
  afterAll(() => cluster?.stop());
  beforeEach(async () => {
    url = await cluster.createDatabase();
    await migrate(pool(url, 1), GATEWAY_MIGRATIONS);
  });

  it('makes seqs visible in commit order: a reader resuming after its cursor misses nothing stored concurrently', async () => {
    const REPLICAS = 4;
    const PER_REPLICA = 600;
    const replicas = Array.from({ length: REPLICAS }, () => new PostgresNotificationStore(pool(url)));
    // Each replica stores in many small batches (a few per event-loop turn), so their transactions interleave.
    const writing = replicas.map(async (store, r) => {
      const acknowledged: StoreResult[] = [];
      for (let i = 0; i < PER_REPLICA; i += 3) {
        const batch = [i, i + 1, i + 2].map((n) => store.store(incoming(`r${r}-${n}`, { clusterId: `cluster-${r}` })));
        acknowledged.push(...(await Promise.all(batch)));
      }
      return acknowledged;
    });
    let done = false;
    const allWritten = Promise.all(writing).finally(() => (done = true));

    // The reader: resumes after the last seq it saw, as a receiver or the live feed does.
    const reader = new PostgresNotificationStore(pool(url, 1));
    const seen: bigint[] = [];
    let cursor = 0n;
    let reads = 0;
    for (let finished = false; !finished;) {
      finished = done; // one more read after the writers are done
      for (const n of await reader.readAfter(cursor, 250)) {
        expect(n.seq).toBeGreaterThan(cursor);
        seen.push(n.seq);
        cursor = n.seq;
      }
      reads++;
    }

    const acknowledged = (await allWritten).flat();
    expect(acknowledged.every((result) => !result.duplicate)).toBe(true);
    const everySeq = acknowledged.map((result) => result.stored.seq).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Gap-free: 1 … n, each once. The reader saw every one, in order: none appeared behind its cursor.
    expect(everySeq).toEqual(Array.from({ length: REPLICAS * PER_REPLICA }, (_, i) => BigInt(i + 1)));
    expect(seen).toEqual(everySeq);
    expect(reads).toBeGreaterThan(10); // it read while they wrote, not only at the end
  });

  it('stores a notification raced through two replicas once: one writes it, the other answers with that row', async () => {
    const [a, b] = [new PostgresNotificationStore(pool(url)), new PostgresNotificationStore(pool(url))];
    for (let i = 0; i < 50; i++) {
      const results = await Promise.all([a.store(incoming(`raced-${i}`)), b.store(incoming(`raced-${i}`))]);
      expect(results.map((result) => result.duplicate).sort()).toEqual([false, true]);
      expect(results[0].stored).toEqual(results[1].stored);
    }
    const [{ count }] = await pool(url)<{ count: number }[]>`SELECT count(*)::int AS count FROM notifications`;
    expect(count).toBe(50);
  });

  it('prunes by count on two replicas at once without deleting more than asked', async () => {
    const [a, b] = [new PostgresNotificationStore(pool(url)), new PostgresNotificationStore(pool(url))];
    await Promise.all(Array.from({ length: 12_000 }, (_, i) => a.store(incoming(`n-${i}`))));
    const policy = { maxAgeMs: 0, maxCount: 100 };

    const deleted = await Promise.all([a.prune(policy, new Date()), b.prune(policy, new Date())]);
    expect(deleted[0] + deleted[1]).toBe(11_900);
    expect((await a.readAfter(0n, 1_000)).map((n) => n.id)[0]).toBe('n-11900');
  });
});

describe('PostgresNotificationStore: failover of the database', () => {
  let pair: PostgresWithStandby;
  beforeAll(async () => (pair = await startPostgresWithStandby()));
  afterAll(() => pair?.stop());

  it('goes on storing after the primary dies and the standby is promoted, every acknowledged one stored once', async () => {
    await migrate(pool(pair.primary.url, 1), GATEWAY_MIGRATIONS);
    const store = new PostgresNotificationStore(pool(pair.url, 2), { retryForMs: 30_000 });
    const acknowledged: string[] = [];
    let stop = false;
    const writing = (async () => {
      for (let i = 0; !stop || i < 200; i++) {
        await store.store(incoming(`n-${i}`));
        acknowledged.push(`n-${i}`);
      }
    })();

    const before = await waitForCount(() => acknowledged.length, 100, writing);
    await pair.killPrimary();
    await pair.promote();
    await waitForCount(() => acknowledged.length, before + 100, writing);
    stop = true;
    await writing;

    const stored = await pool(pair.standby.url)<{ id: string }[]>`SELECT id FROM notifications ORDER BY seq`;
    expect(stored.map((row) => row.id)).toEqual(acknowledged);
  });
});

/** Resolves with `count()` once it reaches `atLeast` (30 s deadline); rejects at once if `writing` fails. */
async function waitForCount(count: () => number, atLeast: number, writing: Promise<void>): Promise<number> {
  const deadline = Date.now() + 30_000;
  let failure: unknown;
  writing.catch((error: unknown) => (failure = error ?? new Error('writing failed')));
  while (count() < atLeast) {
    if (failure) throw failure;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${atLeast} acknowledged stores (${count()} so far)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return count();
}
