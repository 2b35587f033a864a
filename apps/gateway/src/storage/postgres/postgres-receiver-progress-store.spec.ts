import type { ReceiverProgress } from '../../receivers/delivery/receiver-progress-store.js';
import { useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresReceiverProgressStore } from './postgres-receiver-progress-store.js';

const database = useMigratedDatabase();
/** A store on a pool of its own: one gateway replica. */
const replica = () => new PostgresReceiverProgressStore(database.replicaPool());

beforeEach(async () => {
  await database.replicaPool()`TRUNCATE receiver_progress, receiver_dead_letter`;
});

const at = (cursor: number): ReceiverProgress => ({ cursor: BigInt(cursor), delivered: cursor, undeliverable: 0 });

describe('PostgresReceiverProgressStore across replicas', () => {
  it('never moves a cursor back: a late save below the stored cursor is dropped whole, counters included', async () => {
    const [a, b] = [replica(), replica()];
    await a.save('ops', at(10));
    await b.save('ops', at(7));
    expect(await a.load('ops')).toEqual({ ...at(10), lastSuccessAt: undefined });

    // The same cursor is written: a failed delivery at it moves only the counters.
    await b.save('ops', { ...at(10), undeliverable: 1 });
    expect(await a.load('ops')).toMatchObject({ cursor: 10n, undeliverable: 1 });
  });

  it('two replicas racing their saves leave the highest cursor, with the counters saved with it', async () => {
    const [a, b] = [replica(), replica()];
    const cursors = Array.from({ length: 200 }, (_, i) => i + 1);
    // Each replica fires its half in a scrambled order, all at once: commits interleave every which way.
    const scrambled = (mine: number[]) => mine.map((c, i) => mine[(i * 37) % mine.length]);
    await Promise.all([
      ...scrambled(cursors.filter((c) => c % 2 === 0)).map((c) => a.save('ops', at(c))),
      ...scrambled(cursors.filter((c) => c % 2 === 1)).map((c) => b.save('ops', at(c))),
    ]);

    expect(await replica().load('ops')).toMatchObject({ cursor: 200n, delivered: 200 });
  });

  it('a stale replica still records its failed delivery, without moving the cursor back', async () => {
    const [a, b] = [replica(), replica()];
    await a.save('ops', at(50));
    const failure = {
      fromSeq: 20n,
      toSeq: 30n,
      notifications: [{ clusterId: 'c1', id: 'x' }],
      error: 'HTTP 500',
      status: 500,
      at: new Date('2026-03-01T12:00:00Z'),
    };
    await b.recordFailedDelivery('ops', failure, { ...at(30), undeliverable: 1 });

    expect(await a.failedDeliveries('ops')).toEqual([failure]);
    expect(await a.load('ops')).toMatchObject({ cursor: 50n, undeliverable: 0 });
  });
});
