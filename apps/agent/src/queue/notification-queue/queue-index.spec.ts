import type { NotificationQueue } from '../notification-queue.js';
import { request, ids, takeAll, notifyAll, mixed, useQueueHarness, type Harness } from '../testing/queue-harness.js';

let h: Harness;
useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: drain order', () => {
  const order = ['c1', 'c2', 'e1', 'w1', 'w2', 'i1', 'i2'];

  it.each([
    ['one at a time', (q: NotificationQueue) => notifyAll(q, mixed)],
    ['all in one tick', (q: NotificationQueue) => Promise.all(mixed.map((r) => q.notify(r)))],
  ])('Critical → Info, FIFO within a severity (%s), also after a restart', async (_label, fill) => {
    h.limits = { maxCount: 100, maxBytes: 1 << 20 };
    let queue = await h.open();
    await fill(queue);
    expect(ids(queue)).toEqual(order);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(order);
    expect((await takeAll(queue)).map((t) => t.id)).toEqual(order);
  });

  it('requeued entries come back in their original place', async () => {
    h.limits = { maxCount: 100, maxBytes: 1 << 20 };
    let queue = await h.open();
    await notifyAll(queue, mixed);
    expect((await queue.take(3)).map((t) => t.id)).toEqual(['c1', 'c2', 'e1']);
    await queue.notify(request('c3', 'c3', 'Critical'));
    await queue.notify(request('i3', 'i3'));
    expect((await queue.take(1)).map((t) => t.id)).toEqual(['c3']);
    expect(queue.requeue(['c2', 'unknown'])).toBe(1);
    expect(ids(queue)).toEqual(['c2', 'w1', 'w2', 'i1', 'i2', 'i3']);
    expect(queue.requeue()).toBe(3);
    expect(queue.requeue()).toBe(0);
    const expected = ['c1', 'c2', 'c3', 'e1', 'w1', 'w2', 'i1', 'i2', 'i3'];
    expect(ids(queue)).toEqual(expected);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(expected);
  });

  it('entries taken before a restart are queued again after it, in order', async () => {
    h.limits = { maxCount: 100, maxBytes: 1 << 20 };
    let queue = await h.open();
    await notifyAll(queue, mixed);
    await queue.take(4);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(order);
    expect(queue.stats().inFlight).toBe(0);
  });

  it('a restart sizes the index once for the stored entries, at most the queue limit', async () => {
    h.limits = { maxCount: 5000, maxBytes: 1 << 30 };
    let queue = await h.open();
    await Promise.all(Array.from({ length: 3000 }, (_, i) => queue.notify(request(`n${i}`, `t${i}`))));
    const capacity = (q: NotificationQueue) =>
      (q as unknown as { index: { table: { capacity: number } } }).index.table.capacity;
    expect(capacity(queue)).toBe(4096); // grown by doubling while notified
    queue = await h.reopen(queue);
    expect(capacity(queue)).toBe(3000); // seqs 0..2999: reserved at once
    expect(queue.stats().count).toBe(3000);
    queue = await h.reopen(queue, { maxCount: 2000, maxBytes: 1 << 30 });
    expect(capacity(queue)).toBeGreaterThanOrEqual(3000); // reserved 2000, then grew for the rest
    expect(queue.stats().count).toBe(3000);
  });

  it('new notifications after a restart go behind the recovered ones of their severity', async () => {
    h.limits = { maxCount: 100, maxBytes: 1 << 20 };
    let queue = await h.open();
    await notifyAll(queue, mixed);
    queue = await h.reopen(queue);
    await notifyAll(queue, [request('c3', 'c3', 'Critical'), request('i3', 'i3')]);
    expect(ids(queue)).toEqual(['c1', 'c2', 'c3', 'e1', 'w1', 'w2', 'i1', 'i2', 'i3']);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['c1', 'c2', 'c3', 'e1', 'w1', 'w2', 'i1', 'i2', 'i3']);
  });
});
