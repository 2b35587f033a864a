import type { FailedDelivery, ReceiverProgressStore } from '../../receivers/delivery/receiver-progress-store.js';

/** A store under test and what the contract needs to reach behind it. */
export interface ReceiverProgressStoreUnderTest {
  /** The store; reopen() replaces it. */
  store: ReceiverProgressStore;
  /** Closes the store and opens another on the same data, as a restarted gateway would. */
  reopen(): Promise<void>;
  /** Closes the store and frees whatever was opened for it. */
  dispose(): Promise<void>;
}

/** Opens an empty store, for one test. */
export type OpenReceiverProgressStore = () => Promise<ReceiverProgressStoreUnderTest>;

/**
 * What every ReceiverProgressStore adapter does, as one suite each adapter's
 * spec runs with its own `open`. What only one adapter has (SQLite's schema
 * version, PostgreSQL's cursor that never moves back under racing replicas)
 * stays in its own spec.
 */
export function describeReceiverProgressStoreContract(adapter: string, open: OpenReceiverProgressStore): void {
  describe(`${adapter}: receiver progress store contract`, () => {
    let subject: ReceiverProgressStoreUnderTest;
    beforeEach(async () => (subject = await open()));
    afterEach(() => subject.dispose());

    it('has no progress for a receiver it has never seen', async () => {
      expect(await subject.store.load('ops')).toBeUndefined();
    });

    it('keeps progress across reopening, seqs beyond 2^53 included', async () => {
      const big = 2n ** 60n + 7n;
      const lastSuccessAt = new Date('2026-03-01T12:00:00.123Z');
      await subject.store.save('ops', { cursor: 5n, delivered: 1, undeliverable: 0 });
      await subject.store.save('ops', { cursor: big, delivered: 3, undeliverable: 2, lastSuccessAt });
      await subject.store.save('pager', { cursor: 9n, delivered: 0, undeliverable: 0 });
      await subject.reopen();

      expect(await subject.store.load('ops')).toEqual({ cursor: big, delivered: 3, undeliverable: 2, lastSuccessAt });
      expect(await subject.store.load('pager')).toEqual({
        cursor: 9n,
        delivered: 0,
        undeliverable: 0,
        lastSuccessAt: undefined,
      });
    });

    it('records a failed delivery together with the progress past it, across reopening', async () => {
      const failure: FailedDelivery = {
        fromSeq: 3n,
        toSeq: 8n,
        notifications: [
          { clusterId: 'c1', id: 'a' },
          { clusterId: 'c1', id: 'b' },
        ],
        status: 400,
        error: 'HTTP 400 Bad Request',
        at: new Date('2026-03-01T12:00:00Z'),
      };

      await subject.store.recordFailedDelivery('ops', failure, { cursor: 8n, delivered: 0, undeliverable: 2 });
      await subject.reopen();

      expect(await subject.store.failedDeliveries('ops')).toEqual([failure]);
      expect(await subject.store.failedDeliveries('pager')).toEqual([]);
      expect(await subject.store.load('ops')).toMatchObject({ cursor: 8n, undeliverable: 2 });
    });

    it('lists failed deliveries oldest first, a network error without a status', async () => {
      const at = new Date('2026-03-01T12:00:00Z');
      const failure = (fromSeq: bigint, status?: number): FailedDelivery => ({
        fromSeq,
        toSeq: fromSeq,
        notifications: [{ clusterId: 'c1', id: `n${fromSeq}` }],
        ...(status === undefined ? {} : { status }),
        error: status === undefined ? 'connect ECONNREFUSED' : `HTTP ${status}`,
        at,
      });
      await subject.store.recordFailedDelivery('ops', failure(4n, 500), { cursor: 4n, delivered: 0, undeliverable: 1 });
      await subject.store.recordFailedDelivery('ops', failure(2n), { cursor: 4n, delivered: 0, undeliverable: 2 });

      const listed = await subject.store.failedDeliveries('ops');
      expect(listed).toEqual([failure(4n, 500), failure(2n)]);
      expect(await subject.store.load('ops')).toMatchObject({ cursor: 4n, undeliverable: 2 });
    });
  });
}
