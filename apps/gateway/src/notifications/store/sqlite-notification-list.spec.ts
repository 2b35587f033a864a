import Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { encodeCursor } from './notification-cursor.js';
import { MAX_LIST_LIMIT } from './notification-store.js';
import { freshStore, incoming, invalidField, T0 } from './fixtures/notification-store-fixture.js';

const { OpniSeverity, GoldenSignal } = alerting;
const fixture = freshStore();

describe('SqliteNotificationStore: list', () => {
  beforeEach(async () => {
    // n-0 … n-11: cluster a/b/c in turn, severity 0-3 in turn, golden signal 0-4 in turn, a second apart.
    await fixture.storeAll(
      Array.from({ length: 12 }, (_, i) =>
        incoming(`n-${i}`, {
          clusterId: ['cluster-a', 'cluster-b', 'cluster-c'][i % 3],
          severity: (i % 4) as alerting.OpniSeverity,
          goldenSignal: (i % 5) as alerting.GoldenSignal,
          receivedAt: new Date(T0 + i * 1_000),
        }),
      ),
    );
  });

  const expected = (keep: (i: number) => boolean) =>
    Array.from({ length: 12 }, (_, i) => 11 - i)
      .filter(keep)
      .map((i) => `n-${i}`);

  it('lists newest first, everything when unfiltered', async () => {
    expect(await fixture.ids({})).toEqual(expected(() => true));
  });

  it('filters by clusters', async () => {
    expect(await fixture.ids({ clusterIds: ['cluster-b'] })).toEqual(expected((i) => i % 3 === 1));
    expect(await fixture.ids({ clusterIds: ['cluster-a', 'cluster-c'] })).toEqual(expected((i) => i % 3 !== 1));
    expect(await fixture.ids({ clusterIds: ['no-such-cluster'] })).toEqual([]);
  });

  it('filters by severities', async () => {
    expect(await fixture.ids({ severities: [OpniSeverity.Critical] })).toEqual(expected((i) => i % 4 === 3));
    expect(await fixture.ids({ severities: [OpniSeverity.Info, OpniSeverity.Error] })).toEqual(
      expected((i) => i % 2 === 0),
    );
  });

  it('filters by golden signals', async () => {
    expect(await fixture.ids({ goldenSignals: [GoldenSignal.Latency] })).toEqual(expected((i) => i % 5 === 4));
    expect(await fixture.ids({ goldenSignals: [GoldenSignal.Errors, GoldenSignal.Traffic] })).toEqual(
      expected((i) => i % 5 === 1 || i % 5 === 3),
    );
  });

  it('filters by time: since inclusive, until exclusive', async () => {
    const at = (i: number) => new Date(T0 + i * 1_000);
    expect(await fixture.ids({ since: at(9) })).toEqual(['n-11', 'n-10', 'n-9']);
    expect(await fixture.ids({ until: at(2) })).toEqual(['n-1', 'n-0']);
    expect(await fixture.ids({ since: at(3), until: at(5) })).toEqual(['n-4', 'n-3']);
    expect(await fixture.ids({ since: new Date(T0 + 3_500), until: new Date(T0 + 5_500) })).toEqual(['n-5', 'n-4']);
    expect(await fixture.ids({ since: at(12) })).toEqual([]);
    expect(await fixture.ids({ until: at(0) })).toEqual([]);
  });

  it('combines filters', async () => {
    expect(
      await fixture.ids({
        clusterIds: ['cluster-a', 'cluster-b'],
        severities: [OpniSeverity.Info, OpniSeverity.Warning],
        since: new Date(T0 + 1_000),
        until: new Date(T0 + 10_000),
      }),
    ).toEqual(expected((i) => i % 3 !== 2 && i % 4 <= 1 && i >= 1 && i < 10));
  });

  it('pages with a cursor: no gaps, no repeats, nextCursor only while more match', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    const pageSizes: number[] = [];
    do {
      const page = await fixture.store.list({ limit: 5, cursor });
      pageSizes.push(page.notifications.length);
      seen.push(...page.notifications.map((n) => n.id));
      cursor = page.nextCursor;
    } while (cursor);

    expect(pageSizes).toEqual([5, 5, 2]);
    expect(seen).toEqual(expected(() => true));
  });

  it('pages a filtered listing the same way, and gives no cursor when the page ends exactly at the last match', async () => {
    const first = await fixture.store.list({ clusterIds: ['cluster-a'], limit: 2 });
    const second = await fixture.store.list({ clusterIds: ['cluster-a'], limit: 2, cursor: first.nextCursor });

    expect([...first.notifications, ...second.notifications].map((n) => n.id)).toEqual(expected((i) => i % 3 === 0));
    expect(second.nextCursor).toBeUndefined();
  });

  it('pages across stores that happen in between: new ones do not shift later pages', async () => {
    const first = await fixture.store.list({ limit: 6 });
    await fixture.store.store(incoming('n-new', { receivedAt: new Date(T0 + 60_000) }));
    const second = await fixture.store.list({ limit: 6, cursor: first.nextCursor });

    expect(second.notifications.map((n) => n.id)).toEqual(expected((i) => i < 6));
  });

  it('applies the default limit of 100 and allows up to 1000', async () => {
    await fixture.storeAll(
      Array.from({ length: 1_000 }, (_, i) => incoming(`bulk-${i}`, { receivedAt: new Date(T0 + 20_000) })),
    );

    const byDefault = await fixture.store.list({});
    expect(byDefault.notifications).toHaveLength(100);
    expect(byDefault.nextCursor).toBeDefined();
    const largest = await fixture.store.list({ limit: MAX_LIST_LIMIT });
    expect(largest.notifications).toHaveLength(1_000);
    expect(largest.nextCursor).toBeDefined();
  });

  it.each([0, -1, 1.5, MAX_LIST_LIMIT + 1, Number.NaN])(
    'refuses limit %p with InvalidArgumentError(limit)',
    async (limit) => {
      expect(await invalidField(fixture.store.list({ limit }))).toBe('limit');
    },
  );

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['not base64url', 'czE=!'],
    ['a number that is not a seq', Buffer.from('s0').toString('base64url')],
    ['trailing text', Buffer.from('s12x').toString('base64url')],
    ['a non-canonical encoding', `${encodeCursor(5n)}A`],
  ])('refuses a malformed cursor (%s) with InvalidArgumentError(cursor)', async (_label, cursor) => {
    expect(await invalidField(fixture.store.list({ cursor }))).toBe('cursor');
  });

  it('refuses until not later than since, and invalid dates, naming the field', async () => {
    expect(await invalidField(fixture.store.list({ since: new Date(T0), until: new Date(T0) }))).toBe('until');
    expect(await invalidField(fixture.store.list({ since: new Date(Number.NaN) }))).toBe('since');
    expect(await invalidField(fixture.store.list({ until: new Date(Number.NaN) }))).toBe('until');
  });
});

describe('SqliteNotificationStore: readAfter', () => {
  it('reads oldest first after a seq, at most `limit`', async () => {
    const seqs = await fixture.storeAll(['n-1', 'n-2', 'n-3', 'n-4'].map((id) => incoming(id)));

    expect((await fixture.store.readAfter(0n, 10)).map((n) => n.id)).toEqual(['n-1', 'n-2', 'n-3', 'n-4']);
    expect((await fixture.store.readAfter(seqs[1], 1)).map((n) => n.id)).toEqual(['n-3']);
    expect(await fixture.store.readAfter(seqs[3], 10)).toEqual([]);
  });

  it('refuses a limit below 1', async () => {
    expect(await invalidField(fixture.store.readAfter(0n, 0))).toBe('limit');
  });
});

describe('SqliteNotificationStore: prune', () => {
  const now = new Date(T0 + 100_000);

  beforeEach(async () => {
    // n-0 … n-9 received 10 s apart, 100 s to 10 s before `now`.
    await fixture.storeAll(
      Array.from({ length: 10 }, (_, i) => incoming(`n-${i}`, { receivedAt: new Date(T0 + i * 10_000) })),
    );
  });

  it('deletes what is older than maxAgeMs', async () => {
    expect(await fixture.store.prune({ maxAgeMs: 55_000, maxCount: 0 }, now)).toBe(5);
    expect(await fixture.ids({})).toEqual(['n-9', 'n-8', 'n-7', 'n-6', 'n-5']);
  });

  it('deletes the oldest beyond maxCount', async () => {
    expect(await fixture.store.prune({ maxAgeMs: 0, maxCount: 3 }, now)).toBe(7);
    expect(await fixture.ids({})).toEqual(['n-9', 'n-8', 'n-7']);
  });

  it('applies both, counting each row once', async () => {
    expect(await fixture.store.prune({ maxAgeMs: 75_000, maxCount: 2 }, now)).toBe(8);
    expect(await fixture.ids({})).toEqual(['n-9', 'n-8']);
  });

  it('deletes nothing when within the policy, or when the policy is 0 and 0', async () => {
    expect(await fixture.store.prune({ maxAgeMs: 1_000_000, maxCount: 10 }, now)).toBe(0);
    expect(await fixture.store.prune({ maxAgeMs: 0, maxCount: 0 }, now)).toBe(0);
    expect(fixture.rowCount()).toBe(10);
  });

  it('counts correctly when seqs have gaps (deleted in the middle)', async () => {
    const db = new Database(fixture.path);
    db.prepare("DELETE FROM notifications WHERE id IN ('n-3', 'n-4', 'n-5')").run();
    db.close();

    expect(await fixture.store.prune({ maxAgeMs: 0, maxCount: 5 }, now)).toBe(2);
    expect(await fixture.ids({})).toEqual(['n-9', 'n-8', 'n-7', 'n-6', 'n-2']);
  });

  it('prunes large backlogs in several chunks', async () => {
    await fixture.storeAll(
      Array.from({ length: 12_000 }, (_, i) => incoming(`bulk-${i}`, { receivedAt: new Date(T0) })),
    );
    expect(await fixture.store.prune({ maxAgeMs: 0, maxCount: 1 }, now)).toBe(12_009);
    expect(fixture.rowCount()).toBe(1);
  });

  it('never reuses a seq after pruning', async () => {
    await fixture.store.prune({ maxAgeMs: 1, maxCount: 0 }, now);
    expect(fixture.rowCount()).toBe(0);

    expect((await fixture.store.store(incoming('after'))).stored.seq).toBe(11n);
    expect((await fixture.store.readAfter(10n, 10)).map((n) => n.id)).toEqual(['after']);
  });
});
