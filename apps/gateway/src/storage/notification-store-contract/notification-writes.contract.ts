import { UnavailableError } from '@app/runtime';
import {
  incoming,
  invalidField,
  listedIds,
  OpniSeverity,
  GoldenSignal,
  storeAll,
  storeUnderTest,
  T0,
  type OpenNotificationStore,
} from './notification-store-harness.js';

/** store(), readAfter(), prune(), deleteCluster() and close(), for every adapter. */
export function describeWritesContract(adapter: string, open: OpenNotificationStore): void {
  describe(`${adapter}: store`, () => {
    const subject = storeUnderTest(open);

    it('stores a notification and returns it with a seq, as list() reads it back', async () => {
      const result = await subject().store.store(incoming('n-1'));

      expect(result).toEqual({
        duplicate: false,
        stored: {
          clusterId: 'cluster-a',
          id: 'n-1',
          notification: incoming('n-1').notification,
          severity: OpniSeverity.Warning,
          goldenSignal: GoldenSignal.Custom,
          receivedAt: new Date(T0),
          seq: 1n,
        },
      });
      expect((await subject().store.list({})).notifications).toEqual([result.stored]);
    });

    it('deduplicates by (cluster, id): a later store writes nothing and answers with the first', async () => {
      const { store } = subject();
      const first = await store.store(incoming('n-1'));
      const changed = { title: 'changed', body: '', properties: {} };
      const again = await store.store(incoming('n-1', { notification: changed, receivedAt: new Date(T0 + 5) }));

      expect(again).toEqual({ stored: first.stored, duplicate: true });
      expect(await subject().rowCount()).toBe(1);
    });

    it('keeps the same id of two clusters apart', async () => {
      const a = await subject().store.store(incoming('n-1', { clusterId: 'cluster-a' }));
      const b = await subject().store.store(incoming('n-1', { clusterId: 'cluster-b' }));

      expect(b.duplicate).toBe(false);
      expect(b.stored.seq).toBeGreaterThan(a.stored.seq);
      expect(await subject().rowCount()).toBe(2);
    });

    it('deduplicates two stores of one notification made together', async () => {
      const { store } = subject();
      const results = await Promise.all([store.store(incoming('n-1')), store.store(incoming('n-1'))]);

      expect(results.map((r) => r.duplicate)).toEqual([false, true]);
      expect(results[1].stored).toEqual(results[0].stored);
      expect(await subject().rowCount()).toBe(1);
    });

    it('gives stores made together consecutive seqs in call order', async () => {
      const seqs = await storeAll(
        subject().store,
        Array.from({ length: 200 }, (_, i) => incoming(`n-${i}`)),
      );
      expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
    });

    it('never stamps a notification earlier than the one stored before it (a clock stepping back)', async () => {
      await subject().store.store(incoming('n-1', { receivedAt: new Date(T0 + 1_000) }));
      const second = await subject().store.store(incoming('n-2', { receivedAt: new Date(T0) }));

      expect(second.stored.receivedAt).toEqual(new Date(T0 + 1_000));
    });

    it('refuses calls once closed, with UnavailableError', async () => {
      await subject().store.close();
      await expect(subject().store.store(incoming('n-1'))).rejects.toBeInstanceOf(UnavailableError);
      await expect(subject().store.list({})).rejects.toBeInstanceOf(UnavailableError);
    });

    it('finds what it stored after a restart, and goes on from the next seq', async () => {
      const stored = (await subject().store.store(incoming('n-1'))).stored;
      await subject().reopen();

      expect((await subject().store.list({})).notifications).toEqual([stored]);
      expect((await subject().store.store(incoming('n-2'))).stored.seq).toBe(2n);
    });

    it('commits what is pending when closed', async () => {
      const pending = subject().store.store(incoming('n-1'));
      await subject().reopen();

      await expect(pending).resolves.toMatchObject({ duplicate: false });
      expect(await listedIds(subject().store, {})).toEqual(['n-1']);
    });
  });

  describe(`${adapter}: readAfter`, () => {
    const subject = storeUnderTest(open);

    it('reads oldest first after a seq, at most `limit`', async () => {
      const { store } = subject();
      const seqs = await storeAll(
        store,
        ['n-1', 'n-2', 'n-3', 'n-4'].map((id) => incoming(id)),
      );

      expect((await store.readAfter(0n, 10)).map((n) => n.id)).toEqual(['n-1', 'n-2', 'n-3', 'n-4']);
      expect((await store.readAfter(seqs[1], 1)).map((n) => n.id)).toEqual(['n-3']);
      expect(await store.readAfter(seqs[3], 10)).toEqual([]);
    });

    it('refuses a limit below 1', async () => {
      expect(await invalidField(subject().store.readAfter(0n, 0))).toBe('limit');
    });
  });

  describe(`${adapter}: prune`, () => {
    const subject = storeUnderTest(open);
    const now = new Date(T0 + 100_000);
    const remaining = () => listedIds(subject().store, {});

    beforeEach(async () => {
      // n-0 … n-9 received 10 s apart, 100 s to 10 s before `now`.
      const tenSecondsApart = Array.from({ length: 10 }, (_, i) =>
        incoming(`n-${i}`, { receivedAt: new Date(T0 + i * 10_000) }),
      );
      await storeAll(subject().store, tenSecondsApart);
    });

    it('deletes what is older than maxAgeMs', async () => {
      expect(await subject().store.prune({ maxAgeMs: 55_000, maxCount: 0 }, now)).toBe(5);
      expect(await remaining()).toEqual(['n-9', 'n-8', 'n-7', 'n-6', 'n-5']);
    });

    it('deletes the oldest beyond maxCount', async () => {
      expect(await subject().store.prune({ maxAgeMs: 0, maxCount: 3 }, now)).toBe(7);
      expect(await remaining()).toEqual(['n-9', 'n-8', 'n-7']);
    });

    it('applies both, counting each row once', async () => {
      expect(await subject().store.prune({ maxAgeMs: 75_000, maxCount: 2 }, now)).toBe(8);
      expect(await remaining()).toEqual(['n-9', 'n-8']);
    });

    it('deletes nothing when within the policy, or when the policy is 0 and 0', async () => {
      expect(await subject().store.prune({ maxAgeMs: 1_000_000, maxCount: 10 }, now)).toBe(0);
      expect(await subject().store.prune({ maxAgeMs: 0, maxCount: 0 }, now)).toBe(0);
      expect(await subject().rowCount()).toBe(10);
    });

    it('keeps maxCount rows when seqs have holes (rows deleted in the middle)', async () => {
      await subject().deleteIds(['n-3', 'n-4', 'n-5']);

      expect(await subject().store.prune({ maxAgeMs: 0, maxCount: 5 }, now)).toBe(2);
      expect(await remaining()).toEqual(['n-9', 'n-8', 'n-7', 'n-6', 'n-2']);
    });

    it('prunes a large backlog (more than one chunk) entirely', async () => {
      const backlog = Array.from({ length: 12_000 }, (_, i) => incoming(`bulk-${i}`, { receivedAt: new Date(T0) }));
      await storeAll(subject().store, backlog);

      expect(await subject().store.prune({ maxAgeMs: 0, maxCount: 1 }, now)).toBe(12_009);
      expect(await subject().rowCount()).toBe(1);
    });

    it('never reuses a seq after pruning', async () => {
      await subject().store.prune({ maxAgeMs: 1, maxCount: 0 }, now);
      expect(await subject().rowCount()).toBe(0);

      expect((await subject().store.store(incoming('after'))).stored.seq).toBe(11n);
      expect((await subject().store.readAfter(10n, 10)).map((n) => n.id)).toEqual(['after']);
    });
  });

  describe(`${adapter}: deleteCluster`, () => {
    const subject = storeUnderTest(open);

    it("deletes every notification of the cluster, those still pending too, and no other cluster's", async () => {
      const { store } = subject();
      await storeAll(store, [incoming('a-1'), incoming('b-1', { clusterId: 'cluster-b' }), incoming('a-2')]);
      const pending = store.store(incoming('a-3'));

      expect(await store.deleteCluster('cluster-a')).toBe(3);
      await expect(pending).resolves.toMatchObject({ duplicate: false });
      expect(await listedIds(store, {})).toEqual(['b-1']);
      expect(await store.deleteCluster('cluster-a')).toBe(0);
    });
  });
}
