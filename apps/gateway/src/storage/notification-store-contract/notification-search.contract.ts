import { InvalidArgumentError } from '@app/runtime';
import type { IncomingNotification, NotificationQuery } from '../../notifications/store/notification-store.js';
import * as harness from './notification-store-harness.js';
import type { OpenNotificationStore } from './notification-store-harness.js';

const { incoming, invalidField, listedIds, OpniSeverity, storeAll, storeUnderTest, T0 } = harness;

/** A notification with this title, body and properties (opni_uuid set), received `second`s after T0. */
function written(id: string, second: number, title: string, body: string, properties: Record<string, string> = {}) {
  const base = incoming(id, { receivedAt: new Date(T0 + second * 1_000) });
  return { ...base, notification: { title, body, properties: { opni_uuid: id, ...properties } } };
}

/** Text search (`q`) and the dedupe key filter, for every adapter. */
export function describeSearchContract(adapter: string, open: OpenNotificationStore): void {
  describe(`${adapter}: text search and dedupe key`, () => {
    const subject = storeUnderTest(open);
    const ids = (query: NotificationQuery) => listedIds(subject().store, query);

    beforeEach(async () => {
      await storeAll(subject().store, [
        written('disk-full', 0, 'Disk FULL on node-7', 'the /var volume is at 99%', {
          team: 'Storage',
          opni_dedupe_key: 'dk-1',
        }),
        written('memory', 1, 'Memory pressure', 'node-7 is swapping', { runbook: 'https://runbooks.example/memory' }),
        written('disk-slow', 2, 'Disk slow', 'latency above 200ms', {
          team: 'Storage',
          opni_dedupe_key: 'dk-1',
        }),
        written('unicode', 3, 'Ünïcødé Straße', '東京 region', { opni_dedupe_key: 'dk-10' }),
      ]);
    });

    it('matches words of the title, body and property values in any case, newest first', async () => {
      expect(await ids({ text: 'disk' })).toEqual(['disk-slow', 'disk-full']);
      expect(await ids({ text: 'DISK full' })).toEqual(['disk-full']);
      expect(await ids({ text: 'node' })).toEqual(['memory', 'disk-full']);
      expect(await ids({ text: 'storage' })).toEqual(['disk-slow', 'disk-full']);
      expect(await ids({ text: 'runbooks memory' })).toEqual(['memory']);
      expect(await ids({ text: '99' })).toEqual(['disk-full']);
      expect(await ids({ text: 'ÜNÏCØDÉ straße' })).toEqual(['unicode']);
      expect(await ids({ text: '東京' })).toEqual(['unicode']);
    });

    it('matches the start of a word, every word, and not property keys', async () => {
      expect(await ids({ text: 'swap' })).toEqual(['memory']);
      expect(await ids({ text: 'isk' })).toEqual([]);
      expect(await ids({ text: 'disk memory' })).toEqual([]);
      expect(await ids({ text: 'team' })).toEqual([]);
      expect(await ids({ text: 'runbook' })).toEqual(['memory']); // the value's word "runbooks"
    });

    it('takes search syntax as plain words', async () => {
      expect(await ids({ text: '"disk" OR "memory"' })).toEqual([]);
      expect(await ids({ text: '-disk* (slow)^' })).toEqual(['disk-slow']);
      expect(await ids({ text: 'title:disk' })).toEqual([]);
      expect(await ids({ text: 'NEAR(disk full)' })).toEqual([]);
      expect(await ids({ text: "'; DROP TABLE notifications; --" })).toEqual([]);
      expect(await ids({ text: 'disk % _ \\' })).toEqual(['disk-slow', 'disk-full']);
      expect(await ids({})).toHaveLength(4);
    });

    it('ignores a blank text; refuses one without words, too long or with too many words, naming q', async () => {
      expect(await ids({ text: '  ' })).toHaveLength(4);
      const list = (text: string) => subject().store.list({ text });
      for (const text of ['"*:()^-', '%', 'x'.repeat(201), 'a b c d e f g h i j k'])
        expect(await invalidField(list(text))).toBe('q');
      expect(await ids({ text: 'a b c d e f g h i j' })).toEqual([]);
    });

    it('combines with the other filters and pages', async () => {
      expect(await ids({ text: 'node', severities: [OpniSeverity.Warning], until: new Date(T0 + 1_000) })).toEqual([
        'disk-full',
      ]);
      const first = await subject().store.list({ text: 'disk', limit: 1 });
      expect(first.notifications.map((n) => n.id)).toEqual(['disk-slow']);
      expect(await ids({ text: 'disk', limit: 1, cursor: first.nextCursor })).toEqual(['disk-full']);
    });

    it('filters by exact dedupe key, alone or with others', async () => {
      expect(await ids({ dedupeKey: 'dk-1' })).toEqual(['disk-slow', 'disk-full']);
      expect(await ids({ dedupeKey: 'dk-10' })).toEqual(['unicode']);
      expect(await ids({ dedupeKey: 'dk' })).toEqual([]);
      expect(await ids({ dedupeKey: 'DK-1' })).toEqual([]);
      expect(await ids({ dedupeKey: 'dk-1', text: 'slow' })).toEqual(['disk-slow']);
      expect(await invalidField(subject().store.list({ dedupeKey: '' }))).toBe('dedupeKey');
      expect(await invalidField(subject().store.list({ dedupeKey: 'dk\u00001' }))).toBe('dedupeKey');
      expect(await ids({ text: 'dk\u00001' })).toEqual(['unicode', 'disk-slow', 'disk-full']); // words dk, 1
    });

    it('counts under the text and the dedupe key', async () => {
      const count = (query: NotificationQuery) => subject().store.countBySeverity(query);
      expect(await count({ text: 'disk' })).toEqual(new Map([[OpniSeverity.Warning, 2]]));
      expect(await count({ dedupeKey: 'dk-10' })).toEqual(new Map([[OpniSeverity.Warning, 1]]));
      expect(await invalidField(count({ text: '()' }))).toBe('q');
    });

    it('no longer finds what was deleted', async () => {
      await subject().store.deleteCluster('cluster-a');
      await subject().store.store(written('after', 9, 'Disk again', ''));
      expect(await ids({ text: 'disk' })).toEqual(['after']);
    });
  });

  describe(`${adapter}: most severe first`, () => {
    const subject = storeUnderTest(open);
    const ids = (query: NotificationQuery) => listedIds(subject().store, query);
    const { Info, Warning, Error, Critical } = OpniSeverity;
    const severities = [Info, Critical, Warning, Critical, Error, Info, Warning];
    const expected = ['s-3', 's-1', 's-4', 's-6', 's-2', 's-5', 's-0'];

    beforeEach(async () => {
      const seven = severities.map((severity, i) =>
        incoming(`s-${i}`, { severity, receivedAt: new Date(T0 + i * 1_000) }),
      );
      await storeAll(subject().store, seven);
    });

    it('lists by severity, then newest first; newest first by default', async () => {
      expect(await ids({ order: 'severity' })).toEqual(expected);
      expect(await ids({ order: 'newest' })).toEqual(['s-6', 's-5', 's-4', 's-3', 's-2', 's-1', 's-0']);
      expect(await ids({ order: 'severity', severities: [Info, Warning] })).toEqual(['s-6', 's-2', 's-5', 's-0']);
    });

    it('pages in that order with no gaps or repeats, also when notifications arrive in between', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let arrived = false;
      do {
        const page = await subject().store.list({ order: 'severity', limit: 2, cursor });
        seen.push(...page.notifications.map((n) => n.id));
        cursor = page.nextCursor;
        if (!arrived) {
          // Newer and most severe: it belongs before the first page, so no later page has it.
          await subject().store.store(incoming('late', { severity: Critical, receivedAt: new Date(T0 + 60_000) }));
          arrived = true;
        }
      } while (cursor);
      expect(seen).toEqual(expected);
    });

    it('refuses a cursor of the other order, and an unknown order, naming them', async () => {
      const bySeverity = await subject().store.list({ order: 'severity', limit: 2 });
      const newest = await subject().store.list({ limit: 2 });
      expect(await invalidField(subject().store.list({ cursor: bySeverity.nextCursor }))).toBe('cursor');
      expect(await invalidField(subject().store.list({ order: 'severity', cursor: newest.nextCursor }))).toBe('cursor');
      const loudest = 'loudest' as NotificationQuery['order'];
      expect(await invalidField(subject().store.list({ order: loudest }))).toBe('order');
    });
  });

  describe(`${adapter}: by id`, () => {
    const subject = storeUnderTest(open);
    const found = async (id: string, clusterId?: string) =>
      (await subject().store.withId(id, clusterId)).map((n) => `${n.clusterId}/${n.id}`);

    beforeEach(async () => {
      const same = (clusterId: string, second: number): IncomingNotification =>
        incoming('shared-id', { clusterId, receivedAt: new Date(T0 + second * 1_000) });
      await storeAll(subject().store, [same('cluster-a', 0), incoming('only-a'), same('cluster-b', 1)]);
    });

    it('finds a notification by id, in every cluster that has it (newest first) or in one', async () => {
      expect(await found('only-a')).toEqual(['cluster-a/only-a']);
      expect(await found('shared-id')).toEqual(['cluster-b/shared-id', 'cluster-a/shared-id']);
      expect(await found('shared-id', 'cluster-a')).toEqual(['cluster-a/shared-id']);
      const [stored] = await subject().store.withId('only-a');
      expect(stored.notification).toEqual((await subject().store.list({ limit: 1000 })).notifications[1].notification);
    });

    it('finds nothing for an unknown id or cluster; refuses an empty one', async () => {
      expect(await found('no-such-id')).toEqual([]);
      expect(await found('only-a', 'cluster-b')).toEqual([]);
      await expect(subject().store.withId('')).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await invalidField(subject().store.withId('x', ''))).toBe('cluster');
      expect(await invalidField(subject().store.withId('only\u0000a'))).toBe('id');
    });
  });
}
