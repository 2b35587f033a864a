import { alerting } from '@app/proto';
import { MAX_LIST_LIMIT, type NotificationQuery } from '../../notifications/store/notification-store.js';
import { encodeCursor } from '../../notifications/store/notification-query-checks.js';
import {
  GoldenSignal,
  incoming,
  invalidField,
  listedIds,
  OpniSeverity,
  storeAll,
  storeUnderTest,
  T0,
  type OpenNotificationStore,
} from './notification-store-harness.js';

/** list(), countBySeverity() and lastReceivedByCluster(), for every adapter. */
export function describeListingContract(adapter: string, open: OpenNotificationStore): void {
  describe(`${adapter}: list`, () => {
    const subject = storeUnderTest(open);
    const ids = (query: NotificationQuery) => listedIds(subject().store, query);
    const list = (query: NotificationQuery) => subject().store.list(query);

    beforeEach(async () => {
      // n-0 … n-11: cluster a/b/c in turn, severity 0-3 in turn, golden signal 0-4 in turn, a second apart.
      const twelve = Array.from({ length: 12 }, (_, i) =>
        incoming(`n-${i}`, {
          clusterId: ['cluster-a', 'cluster-b', 'cluster-c'][i % 3],
          severity: (i % 4) as alerting.OpniSeverity,
          goldenSignal: (i % 5) as alerting.GoldenSignal,
          receivedAt: new Date(T0 + i * 1_000),
        }),
      );
      await storeAll(subject().store, twelve);
    });

    /** The ids of n-0 … n-11 that `keep`, newest first. */
    const newestFirst = (keep: (i: number) => boolean) =>
      Array.from({ length: 12 }, (_, i) => 11 - i)
        .filter(keep)
        .map((i) => `n-${i}`);

    it('lists newest first, everything when unfiltered', async () => {
      expect(await ids({})).toEqual(newestFirst(() => true));
    });

    it('filters by clusters, severities and golden signals, each a set', async () => {
      expect(await ids({ clusterIds: ['cluster-b'] })).toEqual(newestFirst((i) => i % 3 === 1));
      expect(await ids({ clusterIds: ['cluster-a', 'cluster-c', 'cluster-a'] })).toEqual(
        newestFirst((i) => i % 3 !== 1),
      );
      expect(await ids({ clusterIds: ['no-such-cluster'] })).toEqual([]);
      expect(await ids({ severities: [OpniSeverity.Info, OpniSeverity.Error] })).toEqual(
        newestFirst((i) => i % 2 === 0),
      );
      expect(await ids({ goldenSignals: [GoldenSignal.Errors, GoldenSignal.Traffic] })).toEqual(
        newestFirst((i) => i % 5 === 1 || i % 5 === 3),
      );
    });

    it('filters by time: since inclusive, until exclusive', async () => {
      const at = (i: number) => new Date(T0 + i * 1_000);
      expect(await ids({ since: at(9) })).toEqual(['n-11', 'n-10', 'n-9']);
      expect(await ids({ until: at(2) })).toEqual(['n-1', 'n-0']);
      expect(await ids({ since: new Date(T0 + 3_500), until: new Date(T0 + 5_500) })).toEqual(['n-5', 'n-4']);
      expect(await ids({ since: at(12) })).toEqual([]);
      expect(await ids({ until: at(0) })).toEqual([]);
    });

    it('combines filters', async () => {
      const query = {
        clusterIds: ['cluster-a', 'cluster-b'],
        severities: [OpniSeverity.Info, OpniSeverity.Warning],
        since: new Date(T0 + 1_000),
        until: new Date(T0 + 10_000),
      };
      expect(await ids(query)).toEqual(newestFirst((i) => i % 3 !== 2 && i % 4 <= 1 && i >= 1 && i < 10));
    });

    it('pages with a cursor: no gaps, no repeats, nextCursor only while more match', async () => {
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await list({ limit: 5, cursor });
        pageSizes.push(page.notifications.length);
        seen.push(...page.notifications.map((n) => n.id));
        cursor = page.nextCursor;
      } while (cursor);

      expect(pageSizes).toEqual([5, 5, 2]);
      expect(seen).toEqual(newestFirst(() => true));
    });

    it('pages a filtered listing, with no cursor when a page ends at the last match', async () => {
      const first = await list({ clusterIds: ['cluster-a'], limit: 2 });
      const second = await list({ clusterIds: ['cluster-a'], limit: 2, cursor: first.nextCursor });

      expect([...first.notifications, ...second.notifications].map((n) => n.id)).toEqual(
        newestFirst((i) => i % 3 === 0),
      );
      expect(second.nextCursor).toBeUndefined();
    });

    it('keeps later pages where they were when notifications arrive in between', async () => {
      const first = await list({ limit: 6 });
      await subject().store.store(incoming('n-new', { receivedAt: new Date(T0 + 60_000) }));

      expect(await ids({ limit: 6, cursor: first.nextCursor })).toEqual(newestFirst((i) => i < 6));
    });

    it('pages 100 by default and up to 1000 when asked', async () => {
      const bulk = Array.from({ length: 1_000 }, (_, i) =>
        incoming(`bulk-${i}`, { receivedAt: new Date(T0 + 20_000) }),
      );
      await storeAll(subject().store, bulk);

      const byDefault = await list({});
      expect([byDefault.notifications.length, byDefault.nextCursor !== undefined]).toEqual([100, true]);
      const largest = await list({ limit: MAX_LIST_LIMIT });
      expect([largest.notifications.length, largest.nextCursor !== undefined]).toEqual([1_000, true]);
    });

    it('refuses a bad limit, cursor, since or until with InvalidArgumentError naming it', async () => {
      for (const limit of [0, -1, 1.5, MAX_LIST_LIMIT + 1, Number.NaN])
        expect(await invalidField(list({ limit }))).toBe('limit');
      const s12x = Buffer.from('s12x').toString('base64url');
      for (const cursor of [
        'garbage',
        '',
        'czE=!',
        Buffer.from('s0').toString('base64url'),
        s12x,
        `${encodeCursor(5n)}A`,
      ])
        expect(await invalidField(list({ cursor }))).toBe('cursor');
      expect(await invalidField(list({ since: new Date(T0), until: new Date(T0) }))).toBe('until');
      expect(await invalidField(list({ since: new Date(Number.NaN) }))).toBe('since');
      expect(await invalidField(list({ until: new Date(Number.NaN) }))).toBe('until');
    });
  });

  describe(`${adapter}: counts by severity and the last notification of each cluster`, () => {
    const subject = storeUnderTest(open);

    beforeEach(async () => {
      const rows: [string, alerting.OpniSeverity, alerting.GoldenSignal, number][] = [
        ['a', OpniSeverity.Critical, GoldenSignal.Errors, 0],
        ['a', OpniSeverity.Info, GoldenSignal.Custom, 1],
        ['b', OpniSeverity.Critical, GoldenSignal.Custom, 2],
        ['b', OpniSeverity.Warning, GoldenSignal.Errors, 3],
        ['a', OpniSeverity.Warning, GoldenSignal.Custom, 4],
      ];
      const minutesApart = rows.map(([clusterId, severity, goldenSignal, minute], i) =>
        incoming(`n${i}`, { clusterId, severity, goldenSignal, receivedAt: new Date(T0 + minute * 60_000) }),
      );
      await storeAll(subject().store, minutesApart);
    });

    it('counts per severity under the cluster, golden signal and time filters', async () => {
      const { Critical, Info, Warning } = OpniSeverity;
      const count = subject().store.countBySeverity.bind(subject().store);
      expect(await count({})).toEqual(
        new Map([
          [Critical, 2],
          [Info, 1],
          [Warning, 2],
        ]),
      );
      expect(await count({ clusterIds: ['b'] })).toEqual(
        new Map([
          [Critical, 1],
          [Warning, 1],
        ]),
      );
      expect(await count({ goldenSignals: [GoldenSignal.Errors] })).toEqual(
        new Map([
          [Critical, 1],
          [Warning, 1],
        ]),
      );
      const since = new Date(T0 + 2 * 60_000);
      const until = new Date(T0 + 4 * 60_000);
      expect(await count({ since, until })).toEqual(
        new Map([
          [Critical, 1],
          [Warning, 1],
        ]),
      );
      expect(await count({ since: new Date(T0 + 3_600_000) })).toEqual(new Map());
    });

    it("knows each cluster's newest notification", async () => {
      expect(await subject().store.lastReceivedByCluster()).toEqual(
        new Map([
          ['a', new Date(T0 + 4 * 60_000)],
          ['b', new Date(T0 + 3 * 60_000)],
        ]),
      );
    });
  });
}
