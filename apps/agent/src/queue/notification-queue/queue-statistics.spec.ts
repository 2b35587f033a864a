import { T0, sizeOf, mixed, useQueueHarness, type Harness } from '../testing/queue-harness.js';

let h: Harness;
useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: statistics', () => {
  it('stats report depth per severity, bytes and the oldest entry', async () => {
    h.limits = { maxCount: 100, maxBytes: 1 << 20 };
    const queue = await h.open();
    expect(queue.stats()).toEqual({
      count: 0,
      bytes: 0,
      inFlight: 0,
      depth: { Info: 0, Warning: 0, Error: 0, Critical: 0 },
      oldestCreatedAt: undefined,
      evicted: {},
      rejected: {},
      coalesced: {},
      corrupt: 0,
      deadLettered: {},
      purged: 0,
      commits: { transactions: 0, writes: 0, seconds: 0, syncs: 0 },
    });
    for (const [i, req] of mixed.entries()) {
      h.time = T0 + 1000 * i;
      await queue.notify(req);
    }
    const bytes = mixed.reduce((sum, r) => sum + sizeOf(r), 0);
    expect(queue.stats()).toMatchObject({
      count: 7,
      bytes,
      inFlight: 0,
      depth: { Info: 2, Warning: 2, Error: 1, Critical: 2 },
      oldestCreatedAt: T0, // i1, last in drain order
    });
    await queue.take(5); // c1, c2, e1, w1, w2
    expect(queue.stats()).toMatchObject({ count: 7, bytes, inFlight: 5, oldestCreatedAt: T0 });
    expect(await queue.resolve('i1')).toBe(true);
    expect(queue.stats()).toMatchObject({ count: 6, inFlight: 5, oldestCreatedAt: T0 + 1000 }); // w1, in flight
    expect(await queue.resolve('w1')).toBe(true);
    expect(queue.stats()).toMatchObject({ count: 5, inFlight: 4, oldestCreatedAt: T0 + 2000 }); // c1, in flight
    queue.requeue();
    expect(queue.stats()).toMatchObject({ count: 5, inFlight: 0, oldestCreatedAt: T0 + 2000 });
    expect(queue.stats().depth).toEqual({ Info: 1, Warning: 1, Error: 1, Critical: 2 });
  });
});
