import { NotificationProperty, type SeverityName } from '@app/notification-model';
import { alerting } from '@app/proto';
import { request, keyed, sizeOf, ids, notifyAll, useQueueHarness, type Harness } from '../testing/queue-harness.js';

let h: Harness;
useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: take, resolve, requeue', () => {
  it('resolve deletes once: true, then false; resolved entries are gone after a restart', async () => {
    let queue = await h.open();
    await notifyAll(queue, [request('a', 'a'), request('b', 'b'), request('c', 'c')]);
    await queue.take(1);
    expect(await queue.resolve('a')).toBe(true); // in flight
    expect(await queue.resolve('b')).toBe(true); // queued
    expect(await queue.resolve('a')).toBe(false);
    expect(await queue.resolve('b')).toBe(false);
    expect(await queue.resolve('nope')).toBe(false);
    expect(queue.stats()).toMatchObject({ count: 1, inFlight: 0, bytes: sizeOf(request('c', 'c')) });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['c']);
    expect(h.rows().map((r) => r.id)).toEqual(['c']);
  });

  it('purge deletes every entry, queued, in flight or being committed, durably and counted; what comes after stays', async () => {
    let queue = await h.open();
    await notifyAll(queue, [request('a', 'a', 'Critical'), request('b', 'b'), request('c', 'c', 'Warning')]);
    await queue.take(1); // a, in flight
    const purging = queue.purge();
    const during = queue.notify(request('d', 'd')); // still being committed when the purge runs: purged too
    expect(await purging).toBe(4);
    await during;
    await queue.notify(request('e', 'e'));
    expect(queue.stats()).toMatchObject({ count: 1, inFlight: 0, purged: 4 });
    expect(await queue.resolve('a')).toBe(false); // a late Resolve of a purged entry finds nothing
    expect(await queue.purge()).toBe(1);
    expect(await queue.purge()).toBe(0);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual([]);
    expect(h.rows()).toEqual([]);
  });

  it('concurrent resolves of the same id: exactly one is true', async () => {
    const queue = await h.open();
    await queue.notify(request('a', 'a'));
    await queue.take(1);
    expect(await Promise.all([queue.resolve('a'), queue.resolve('a')])).toEqual([true, false]);
  });

  it('resolve of a notification still being committed waits for it', async () => {
    const queue = await h.open();
    const notified = queue.notify(request('a', 'a'));
    expect(await queue.resolve('a')).toBe(true);
    expect(await notified).toEqual({ id: 'a', coalesced: false });
    expect(queue.stats().count).toBe(0);
  });

  it('take(n) returns at most n, skips entries in flight, and [] when nothing is left', async () => {
    const queue = await h.open();
    await notifyAll(
      queue,
      ['a', 'b', 'c', 'd'].map((id) => request(id, id)),
    );
    expect(await queue.take(0)).toEqual([]);
    expect((await queue.take(2)).map((t) => t.id)).toEqual(['a', 'b']);
    expect((await queue.take(1)).map((t) => t.id)).toEqual(['c']);
    expect((await queue.take(5)).map((t) => t.id)).toEqual(['d']);
    expect(await queue.take(5)).toEqual([]);
    expect(queue.stats()).toMatchObject({ count: 4, inFlight: 4 });
    expect(queue.inFlightIds()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('concurrent takes never hand out the same entry twice', async () => {
    const queue = await h.open();
    await notifyAll(
      queue,
      ['a', 'b', 'c', 'd', 'e'].map((id) => request(id, id)),
    );
    const [one, two] = await Promise.all([queue.take(3), queue.take(3)]);
    expect([...one, ...two].map((t) => t.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('take reads a merge still being written only once it is written (no stale content pushed)', async () => {
    const queue = await h.open();
    await queue.notify(keyed('a', 'first', 'Warning', 'disk'));
    const merging = queue.notify(keyed('b', 'second', 'Critical', 'disk'));
    const [taken] = await queue.take(1);
    expect(taken).toMatchObject({ id: 'a', severity: 3, notification: { title: 'second' } });
    expect(taken.notification.properties).toMatchObject({
      [NotificationProperty.severity]: 'Critical',
      [NotificationProperty.occurrences]: '2',
    });
    await expect(merging).resolves.toEqual({ id: 'a', coalesced: true });
    // Counted as what it became, and requeued as such.
    expect(queue.stats()).toMatchObject({ count: 1, inFlight: 1, depth: { Warning: 0, Critical: 1 } });
    queue.requeue();
    expect([...queue.entries()]).toMatchObject([{ id: 'a', severity: 'Critical', occurrences: 2 }]);
  });

  it('take waits for notifications of the current tick to commit', async () => {
    const queue = await h.open();
    const notified = queue.notify(request('a', 'a'));
    expect((await queue.take(1)).map((t) => t.id)).toEqual(['a']);
    await notified;
  });

  it('attempts count across take, requeue and take, and persist across a restart', async () => {
    let queue = await h.open();
    await queue.notify(request('a', 'a', 'Error'));
    expect((await queue.take(1)).map((t) => t.attempt)).toEqual([1]);
    queue.requeue();
    expect((await queue.take(1)).map((t) => t.attempt)).toEqual([2]);
    queue = await h.reopen(queue);
    expect(h.rows()).toMatchObject([{ id: 'a', attempts: 2 }]);
    expect([...queue.entries()]).toMatchObject([{ id: 'a', attempts: 2 }]);
    expect((await queue.take(1)).map((t) => t.attempt)).toEqual([3]);
    queue = await h.reopen(queue);
    expect((await queue.take(1)).map((t) => t.attempt)).toEqual([4]);
  });

  it('attempt is 1 on the first take after a restart when never taken', async () => {
    let queue = await h.open();
    await queue.notify(request('a', 'a'));
    queue = await h.reopen(queue);
    const [taken] = await queue.take(1);
    expect(taken.attempt).toBe(1);
    queue = await h.reopen(queue);
    expect((await queue.take(1))[0].attempt).toBe(2);
  });

  it('the taken notification is the stored one with opni_uuid set to its id', async () => {
    const queue = await h.open();
    await queue.notify(
      request('id-1', 'Disk full', 'critical' as SeverityName, {
        team: 'storage',
        [NotificationProperty.uuid]: 'spoofed',
      }),
    );
    const taken = await queue.take(1);
    // What the push sends: the stored bytes with opni_uuid appended, the spoofed one overridden.
    expect(alerting.Notification.decode(taken[0].encoded)).toEqual(taken[0].notification);
    expect(taken).toEqual([
      {
        id: 'id-1',
        severity: 3,
        attempt: 1,
        encoded: expect.any(Uint8Array),
        notification: {
          title: 'Disk full',
          body: 'body of Disk full',
          properties: {
            [NotificationProperty.severity]: 'Critical',
            [NotificationProperty.goldenSignal]: 'Custom',
            [NotificationProperty.uuid]: 'id-1',
            team: 'storage',
          },
        },
      },
    ]);
  });
});
