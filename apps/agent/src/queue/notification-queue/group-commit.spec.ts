import { DEFAULT_NOTIFICATION_LIMITS, NotificationProperty } from '@app/notification-model';
import { AppError, UnavailableError } from '@app/runtime';
import { waitFor } from '@app/testing';
import { NotificationQueue } from '../notification-queue.js';
import { SqliteQueueStore } from '../sqlite-queue-store.js';
import { request, keyed, rejection, ids, notifyAll, useQueueHarness, type Harness } from '../testing/queue-harness.js';

let h: Harness;
useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: group commit', () => {
  it('200 concurrent notifies share few transactions and are all stored', async () => {
    h.limits = { maxCount: 1000, maxBytes: 1 << 30 };
    let queue = await h.open();
    const store = h.store;
    const requests = Array.from({ length: 200 }, (_, i) =>
      request(`n${i}`, `t${i}`, (['Info', 'Warning', 'Error', 'Critical'] as const)[i % 4]),
    );
    const results = await Promise.all(requests.map((r) => queue.notify(r)));
    expect(results.map((r) => r.id)).toEqual(requests.map((r) => r.id));
    expect(store.commits).toBeLessThan(10);
    expect(store.commits).toBeGreaterThan(0);
    expect(queue.stats().count).toBe(200);
    queue = await h.reopen(queue);
    expect(queue.stats()).toMatchObject({ count: 200, depth: { Info: 50, Warning: 50, Error: 50, Critical: 50 } });
    expect(new Set(ids(queue)).size).toBe(200);
  });

  it('notify answers only after its transaction is durable, and is invisible before', async () => {
    const queue = await h.open();
    h.store.hold();
    let answered = false;
    const notified = queue.notify(request('a', 'a')).then((r) => ((answered = true), r));
    await waitFor(() => h.store.commits === 1, { description: 'the commit to start' });
    expect(answered).toBe(false);
    expect(ids(queue)).toEqual([]);
    expect(queue.stats().count).toBe(0);
    h.store.release();
    expect(await notified).toEqual({ id: 'a', coalesced: false });
    expect(ids(queue)).toEqual(['a']);
    expect(h.rows().map((r) => r.id)).toEqual(['a']);
  });

  it('a batch is written while the one before awaits durability; they are written and settle in order', async () => {
    const queue = await h.open();
    h.store.hold();
    const settled: string[] = [];
    const first = queue.notify(request('a', 'a')).then(() => settled.push('a'));
    await waitFor(() => h.store.commits === 1, { description: 'the first commit to start' });
    const second = queue.notify(request('b', 'b')).then(() => settled.push('b'));
    await waitFor(() => h.store.commits === 2, { description: 'the second commit to start, the first still held' });
    expect(settled).toEqual([]);
    h.store.release();
    await Promise.all([first, second]);
    expect(settled).toEqual(['a', 'b']);
    expect(h.store.batches.map((b) => b.map((w) => (w.op === 'insert' ? w.record.id : w.op)))).toEqual([['a'], ['b']]);
    expect(ids(queue)).toEqual(['a', 'b']);
  });
});

describe('NotificationQueue: commit statistics', () => {
  it('counts transactions, their writes, the time until durable and the fsyncs they shared', async () => {
    h.limits = { maxCount: 1000, maxBytes: 1 << 30 };
    const queue = await h.open();
    expect(queue.stats().commits).toEqual({ transactions: 0, writes: 0, seconds: 0, syncs: 0 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => queue.notify(request(`n${i}`, `t${i}`))));
    const after = queue.stats().commits;
    expect(after.transactions).toBe(h.store.commits);
    expect(after.writes).toBe(200);
    expect(after.seconds).toBeGreaterThan(0);
    expect(after.syncs).toBeGreaterThanOrEqual(1);
    expect(after.syncs).toBeLessThanOrEqual(after.transactions);

    // A commit held back for 50 ms adds at least that much.
    h.store.hold();
    const notified = queue.notify(request('held', 'held'));
    await waitFor(() => h.store.commits === after.transactions + 1, { description: 'the commit to start' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.store.release();
    await notified;
    const held = queue.stats().commits;
    expect(held.transactions).toBe(after.transactions + 1);
    expect(held.writes).toBe(201);
    expect(held.seconds - after.seconds).toBeGreaterThanOrEqual(0.049);
  });

  it('makes no fsync with os durability', async () => {
    const store = new SqliteQueueStore(h.path, 'os');
    const queue = new NotificationQueue(store, h.limits, DEFAULT_NOTIFICATION_LIMITS, h.clock);
    await queue.onModuleInit();
    try {
      await Promise.all(['a', 'b', 'c'].map((id) => queue.notify(request(id, id))));
      expect(queue.stats().commits).toMatchObject({ writes: 3, syncs: 0 });
      expect(queue.stats().commits.transactions).toBeGreaterThanOrEqual(1);
    } finally {
      await queue.onModuleDestroy();
    }
  });
});

describe('NotificationQueue: storage failure', () => {
  it('a failed commit rejects with UnavailableError, restores the index, and the next notify works', async () => {
    let queue = await h.open();
    await notifyAll(
      queue,
      ['i1', 'i2', 'i3', 'i4', 'i5'].map((id) => request(id, id)),
    );
    const before = queue.stats();
    h.store.failNext = new Error('disk I/O error');

    const results = await Promise.allSettled([
      queue.notify(request('w1', 'w1', 'Warning')),
      queue.notify(request('w2', 'w2', 'Warning')),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as AppError).kind).toBe('unavailable');
      expect(error.message).toMatch(/disk I\/O error/);
    }
    expect(ids(queue)).toEqual(['i1', 'i2', 'i3', 'i4', 'i5']);
    expect(queue.stats()).toEqual(before);

    expect(await queue.notify(request('w1', 'w1', 'Warning'))).toEqual({ id: 'w1', coalesced: false });
    expect(ids(queue)).toEqual(['w1', 'i2', 'i3', 'i4', 'i5']);
    expect(queue.stats().evicted).toEqual({ Info: 1 });
    // a victim restored after the failure can still be evicted later, oldest first
    await queue.notify(request('w2', 'w2', 'Warning'));
    expect(ids(queue)).toEqual(['w1', 'w2', 'i3', 'i4', 'i5']);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['w1', 'w2', 'i3', 'i4', 'i5']);
  });

  it('a failed merge leaves the entry as it was; a retry merges', async () => {
    let queue = await h.open();
    await queue.notify(keyed('a', 'v1', 'Info', 'k'));
    const before = queue.stats();
    h.store.failNext = new Error('disk full');
    expect(await rejection(queue.notify(keyed('b', 'v2', 'Critical', 'k')))).toBeInstanceOf(UnavailableError);
    expect(queue.stats()).toMatchObject({ count: before.count, bytes: before.bytes, depth: before.depth });
    expect([...queue.entries()]).toMatchObject([{ id: 'a', occurrences: 1, severity: 'Info' }]);
    expect(queue.stats().coalesced).toEqual({});
    expect(await queue.notify(keyed('b', 'v2', 'Critical', 'k'))).toEqual({ id: 'a', coalesced: true });
    expect(queue.stats().coalesced).toEqual({ Critical: 1 });
    queue = await h.reopen(queue);
    const [taken] = await queue.take(1);
    expect(taken.notification.title).toBe('v2');
    expect(taken.notification.properties[NotificationProperty.occurrences]).toBe('2');
    expect(taken.severity).toBe(3);
  });

  it('a failed batch that evicted notifications of its own tick changes nothing', async () => {
    const queue = await h.open();
    await notifyAll(
      queue,
      ['c1', 'c2', 'c3', 'c4'].map((id) => request(id, id, 'Critical')),
    );
    const before = queue.stats();
    h.store.failNext = new Error('disk I/O error');
    const tick = () =>
      Promise.allSettled([
        queue.notify(request('i1', 'i1')),
        queue.notify(request('w1', 'w1', 'Warning')), // evicts i1
        queue.notify(request('e1', 'e1', 'Error')), // evicts w1
      ]);
    const failed = await tick();
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of failed) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableError);
    expect(queue.stats()).toEqual(before);
    expect(ids(queue)).toEqual(['c1', 'c2', 'c3', 'c4']);

    expect((await tick()).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(ids(queue)).toEqual(['c1', 'c2', 'c3', 'c4', 'e1']);
    expect(queue.stats()).toMatchObject({ count: 5, evicted: { Info: 1, Warning: 1 } });
  });

  it('a failed resolve keeps the entry where it was, in flight or queued', async () => {
    let queue = await h.open();
    await notifyAll(queue, [
      keyed('a', 'a', 'Error', 'ka'),
      request('b', 'b', 'Warning'),
      keyed('c', 'c', 'Info', 'kc'),
    ]);
    await queue.notify(keyed('c2', 'c2', 'Info', 'kc')); // alias c2 → c
    await queue.take(1); // a
    const before = queue.stats();

    h.store.failNext = new Error('disk I/O error');
    const results = await Promise.allSettled([queue.resolve('a'), queue.resolve('c')]);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableError);
    expect(queue.stats()).toEqual(before);
    expect(queue.inFlightIds()).toEqual(['a']);
    expect(ids(queue)).toEqual(['b', 'c']);
    // the alias and the dedupe key still lead to "c"
    expect(await queue.notify(keyed('c2', 'again', 'Info', 'kc'))).toEqual({ id: 'c', coalesced: true });
    expect(await queue.notify(keyed('c3', 'c3', 'Info', 'kc'))).toEqual({ id: 'c', coalesced: true });

    expect(await queue.resolve('a')).toBe(true);
    expect(await queue.resolve('c')).toBe(true);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['b']);
  });

  it('a retry of an id whose commit failed inserts it', async () => {
    const queue = await h.open();
    h.store.failNext = new Error('boom');
    const results = await Promise.allSettled([queue.notify(request('a', 'a')), queue.notify(request('a', 'a'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(ids(queue)).toEqual(['a']);
  });
});
