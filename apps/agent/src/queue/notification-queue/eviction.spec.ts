import { NotificationProperty, type SeverityName } from '@app/notification-model';
import { AppError, ResourceExhaustedError } from '@app/runtime';
import {
  request,
  keyed,
  sizeOf,
  rejection,
  ids,
  notifyAll,
  useQueueHarness,
  type Harness,
} from '../testing/queue-harness.js';

let h: Harness;
const { events } = useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: bounds and eviction', () => {
  it('evicts the least important, oldest first; equal severity evicts the oldest; durable', async () => {
    let queue = await h.open();
    await notifyAll(queue, [
      request('i1', 'i1', 'Info'),
      request('w1', 'w1', 'Warning'),
      request('i2', 'i2', 'Info'),
      request('e1', 'e1', 'Error'),
      request('c1', 'c1', 'Critical'),
    ]);
    expect(ids(queue)).toEqual(['c1', 'e1', 'w1', 'i1', 'i2']);

    expect(await queue.notify(request('w2', 'w2', 'Warning'))).toEqual({ id: 'w2', coalesced: false });
    expect(ids(queue)).toEqual(['c1', 'e1', 'w1', 'w2', 'i2']);
    expect(await queue.notify(request('e2', 'e2', 'Error'))).toEqual({ id: 'e2', coalesced: false });
    expect(ids(queue)).toEqual(['c1', 'e1', 'e2', 'w1', 'w2']);
    await queue.notify(request('w3', 'w3', 'Warning'));
    expect(ids(queue)).toEqual(['c1', 'e1', 'e2', 'w2', 'w3']);
    expect(queue.stats()).toMatchObject({
      count: 5,
      evicted: { Info: 2, Warning: 1 },
      depth: { Info: 0, Warning: 2, Error: 2, Critical: 1 },
    });
    expect(events('warn', 'queue-evicted')).toEqual([
      { event: 'queue-evicted', ids: ['i1'], severities: ['Info'] },
      { event: 'queue-evicted', ids: ['i2'], severities: ['Info'] },
      { event: 'queue-evicted', ids: ['w1'], severities: ['Warning'] },
    ]);

    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['c1', 'e1', 'e2', 'w2', 'w3']);
    expect(h.rows().map((r) => r.id)).toEqual(['e1', 'c1', 'w2', 'e2', 'w3']);
  });

  it('rejects a newcomer less important than everything queued, and changes nothing', async () => {
    let queue = await h.open();
    await notifyAll(
      queue,
      ['w1', 'e1', 'w2', 'c1', 'e2'].map((id) => request(id, id, severityOfId(id))),
    );
    const before = queue.stats();

    const error = await rejection(queue.notify(request('i1', 'i1', 'Info')));
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect((error as AppError).kind).toBe('resource-exhausted');
    expect(error.message).toMatch(/queue full .*Info.*not queued/);

    expect(ids(queue)).toEqual(['c1', 'e1', 'e2', 'w1', 'w2']);
    expect(queue.stats()).toEqual({ ...before, rejected: { Info: { invalid: 0, full: 1 } } });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['c1', 'e1', 'e2', 'w1', 'w2']);
  });

  it('a queue full of Criticals never evicts a Critical for anything less, but a Critical evicts the oldest Critical', async () => {
    let queue = await h.open();
    await notifyAll(
      queue,
      ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => request(id, id, 'Critical')),
    );
    for (const severity of ['Info', 'Warning', 'Error'] as const) {
      const error = await rejection(queue.notify(request(`x-${severity}`, 'x', severity)));
      expect(error).toBeInstanceOf(ResourceExhaustedError);
    }
    expect(ids(queue)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(await queue.notify(request('c6', 'c6', 'Critical'))).toEqual({ id: 'c6', coalesced: false });
    expect(ids(queue)).toEqual(['c2', 'c3', 'c4', 'c5', 'c6']);
    expect(queue.stats()).toMatchObject({
      evicted: { Critical: 1 },
      rejected: {
        Info: { invalid: 0, full: 1 },
        Warning: { invalid: 0, full: 1 },
        Error: { invalid: 0, full: 1 },
      },
    });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it('never evicts entries in flight', async () => {
    const queue = await h.open();
    await notifyAll(
      queue,
      ['i1', 'i2', 'i3', 'i4', 'i5'].map((id) => request(id, id)),
    );
    expect((await queue.take(2)).map((t) => t.id)).toEqual(['i1', 'i2']);
    await notifyAll(queue, [request('w1', 'w1', 'Warning'), request('w2', 'w2', 'Warning')]);
    expect(ids(queue)).toEqual(['w1', 'w2', 'i5']);
    await queue.notify(request('i6', 'i6'));
    expect(ids(queue)).toEqual(['w1', 'w2', 'i6']);
    await queue.notify(request('w3', 'w3', 'Warning'));
    expect(ids(queue)).toEqual(['w1', 'w2', 'w3']);
    expect(queue.inFlightIds()).toEqual(['i1', 'i2']);
    const error = await rejection(queue.notify(request('i7', 'i7')));
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(queue.stats()).toMatchObject({
      count: 5,
      inFlight: 2,
      evicted: { Info: 4 },
      rejected: { Info: { invalid: 0, full: 1 } },
    });
    // Everything in flight: even a Critical cannot get in.
    await queue.take(3);
    expect(await rejection(queue.notify(request('c1', 'c1', 'Critical')))).toBeInstanceOf(ResourceExhaustedError);
    expect(queue.stats().rejected).toEqual({ Info: { invalid: 0, full: 1 }, Critical: { invalid: 0, full: 1 } });
    // Resolving one makes room.
    expect(await queue.resolve('i1')).toBe(true);
    expect(await queue.notify(request('c1', 'c1', 'Critical'))).toEqual({ id: 'c1', coalesced: false });
  });

  it('evicts by bytes: as many of the least important as needed, oldest first', async () => {
    const info = sizeOf(request('i1', 'i1'));
    const warning = sizeOf(request('w1', 'w1', 'Warning'));
    const limits = { maxCount: 100, maxBytes: 2 * info + warning };
    let queue = await h.open(limits);
    await notifyAll(queue, [request('i1', 'i1'), request('w1', 'w1', 'Warning'), request('i2', 'i2')]);
    expect(queue.stats().bytes).toBe(limits.maxBytes);
    // a newcomer of the same size evicts one
    await queue.notify(request('i3', 'i3'));
    expect(ids(queue)).toEqual(['w1', 'i2', 'i3']);
    // a bigger Warning needs the room of both Infos
    const big = request('w2', 'w2', 'Warning', {}, 'b'.repeat(info));
    expect(sizeOf(big)).toBeGreaterThan(info);
    expect(sizeOf(big)).toBeLessThanOrEqual(2 * info);
    await queue.notify(big);
    expect(ids(queue)).toEqual(['w1', 'w2']);
    expect(queue.stats()).toMatchObject({ count: 2, bytes: sizeOf(big) + warning, evicted: { Info: 3 } });
    queue = await h.reopen(queue, limits);
    expect(ids(queue)).toEqual(['w1', 'w2']);
    expect(queue.stats().bytes).toBe(sizeOf(big) + warning);
  });

  it('a newcomer bigger than what can be evicted is rejected and the would-be victims stay in place', async () => {
    const size = sizeOf(request('i1', 'i1'));
    const limits = { maxCount: 100, maxBytes: 4 * size };
    let queue = await h.open(limits);
    await notifyAll(queue, [request('i1', 'i1'), request('i2', 'i2'), request('c1', 'c1', 'Critical')]);
    const before = queue.stats();
    const huge = request('e1', 'e1', 'Error', {}, 'x'.repeat(3 * size));
    expect(await rejection(queue.notify(huge))).toBeInstanceOf(ResourceExhaustedError);
    expect(ids(queue)).toEqual(['c1', 'i1', 'i2']);
    expect(queue.stats()).toEqual({ ...before, rejected: { Error: { invalid: 0, full: 1 } } });
    // and the order (seq) of the restored entries is intact for later evictions
    await queue.notify(request('w1', 'w1', 'Warning', {}, 'x'.repeat(size)));
    expect(ids(queue)).toEqual(['c1', 'w1', 'i2']);
    queue = await h.reopen(queue, limits);
    expect(ids(queue)).toEqual(['c1', 'w1', 'i2']);
  });

  it('a notification bigger than the whole queue may hold is refused with its own message, nothing evicted', async () => {
    const size = sizeOf(request('i1', 'i1'));
    const queue = await h.open({ maxCount: 100, maxBytes: 2 * size });
    await queue.notify(request('i1', 'i1'));
    const error = await rejection(queue.notify(request('c1', 'c1', 'Critical', {}, 'x'.repeat(3 * size))));
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(error.message).toMatch(
      new RegExp(
        `^this Critical notification needs \\d+ bytes, more than the whole queue may hold \\(AGENT_QUEUE_MAX_BYTES ${2 * size}\\); not queued$`,
      ),
    );
    expect(ids(queue)).toEqual(['i1']);
    expect(queue.stats()).toMatchObject({ evicted: {}, rejected: { Critical: { invalid: 0, full: 1 } } });
  });

  it('an entry a Critical is being merged into (same group commit) is not evicted as the Info it was', async () => {
    const queue = await h.open({ maxCount: 2, maxBytes: 1 << 20 });
    await notifyAll(queue, [keyed('t', 't', 'Info', 'K'), request('u', 'u', 'Info')]);
    const [merged, warning] = await Promise.all([
      queue.notify(keyed('fire', 'fire', 'Critical', 'K')),
      queue.notify(request('w', 'w', 'Warning')),
    ]);
    expect(merged).toEqual({ id: 't', coalesced: true });
    expect(warning).toEqual({ id: 'w', coalesced: false });
    expect([...queue.entries()].map((e) => `${e.id}:${e.severity}:${e.occurrences}`)).toEqual([
      't:Critical:2',
      'w:Warning:1',
    ]);
    expect(queue.stats()).toMatchObject({ count: 2, evicted: { Info: 1 } });
    const reopened = await h.reopen(queue, { maxCount: 2, maxBytes: 1 << 20 });
    expect(ids(reopened)).toEqual(['t', 'w']);
  });

  /** The stored size of `key`'s merged notification with this body and occurrence count 2. */
  const mergedSize = (body: string) =>
    sizeOf(
      request(
        'b',
        'b',
        'Warning',
        { [NotificationProperty.dedupeKey]: 'k', [NotificationProperty.occurrences]: '2' },
        body,
      ),
    );

  it('a merge that grows an entry makes room by evicting, never beyond maxBytes', async () => {
    const info = sizeOf(request('i1', 'i1'));
    const body = 'y'.repeat(200);
    const limits = { maxCount: 100, maxBytes: mergedSize(body) + info };
    const queue = await h.open(limits);
    await notifyAll(queue, [request('i1', 'i1'), keyed('a', 'a', 'Warning', 'k'), request('i2', 'i2')]);
    expect(queue.stats().evicted).toEqual({});
    await queue.notify(keyed('b', 'b', 'Warning', 'k', body));
    expect(ids(queue)).toEqual(['a', 'i2']);
    expect(queue.stats()).toMatchObject({ bytes: limits.maxBytes, evicted: { Info: 1 } });
  });

  it('a merge into the least important, oldest entry of a full queue evicts the next one, not itself', async () => {
    const first = keyed('t', 't', 'Info', 'k');
    const limits = { maxCount: 100, maxBytes: sizeOf(first) + 2 * sizeOf(request('i1', 'i1')) };
    let queue = await h.open(limits);
    await notifyAll(queue, [first, request('i1', 'i1'), request('i2', 'i2')]);
    expect(queue.stats().bytes).toBe(limits.maxBytes);
    // the merged payload is bigger (opni_occurrences alone adds bytes)
    expect(await queue.notify(keyed('m', 't', 'Info', 'k'))).toEqual({ id: 't', coalesced: true });
    expect(ids(queue)).toEqual(['t', 'i2']);
    expect(queue.stats()).toMatchObject({ evicted: { Info: 1 }, rejected: {}, coalesced: { Info: 1 } });
    queue = await h.reopen(queue, limits);
    expect([...queue.entries()]).toMatchObject([
      { id: 't', occurrences: 2 },
      { id: 'i2', occurrences: 1 },
    ]);
  });

  it('a merge that cannot make room is rejected and leaves everything in place', async () => {
    const first = keyed('t', 't', 'Warning', 'k');
    const limits = { maxCount: 100, maxBytes: sizeOf(first) + sizeOf(request('c1', 'c1', 'Critical')) };
    const queue = await h.open(limits);
    await notifyAll(queue, [first, request('c1', 'c1', 'Critical')]);
    const before = queue.stats();
    expect(await rejection(queue.notify(keyed('m', 't', 'Warning', 'k')))).toBeInstanceOf(ResourceExhaustedError);
    expect(ids(queue)).toEqual(['c1', 't']);
    expect(queue.stats()).toEqual({ ...before, rejected: { Warning: { invalid: 0, full: 1 } } });
    // and the entry can still be merged into once there is room
    expect(await queue.resolve('c1')).toBe(true);
    expect(await queue.notify(keyed('m', 't', 'Warning', 'k'))).toEqual({ id: 't', coalesced: true });
  });

  it('never exceeds maxBytes when notifications coalesce in the same tick', async () => {
    const info = sizeOf(request('i1', 'i1'));
    const body = 'z'.repeat(200);
    const limits = { maxCount: 100, maxBytes: mergedSize(body) + info };
    let queue = await h.open(limits);
    await notifyAll(queue, [request('i1', 'i1'), request('i2', 'i2')]);
    const results = await Promise.all([
      queue.notify(keyed('a', 'a', 'Warning', 'k')),
      queue.notify(keyed('b', 'b', 'Warning', 'k', body)),
    ]);
    expect(results).toEqual([
      { id: 'a', coalesced: false },
      { id: 'a', coalesced: true },
    ]);
    expect(ids(queue)).toEqual(['a', 'i2']);
    expect(queue.stats()).toMatchObject({ bytes: limits.maxBytes, evicted: { Info: 1 } });
    queue = await h.reopen(queue, limits);
    expect(queue.stats().bytes).toBe(limits.maxBytes);
  });

  it('a same-tick merge that cannot fit is rejected and leaves the first notification as it was', async () => {
    const size = sizeOf(keyed('a', 'a', 'Warning', 'k'));
    const limits = { maxCount: 100, maxBytes: size + 10 };
    let queue = await h.open(limits);
    const results = await Promise.allSettled([
      queue.notify(keyed('a', 'a', 'Warning', 'k')),
      queue.notify(keyed('b', 'b', 'Warning', 'k', 'w'.repeat(100))),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { id: 'a', coalesced: false } });
    expect(results[1].status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ResourceExhaustedError);
    expect(queue.stats()).toMatchObject({ count: 1, bytes: size, coalesced: {} });
    queue = await h.reopen(queue, limits);
    const [taken] = await queue.take(1);
    expect(taken.notification.title).toBe('a');
    expect(taken.notification.properties[NotificationProperty.occurrences]).toBeUndefined();
  });

  it('in one tick, a Critical evicts less important notifications of the same tick: they answer OK and are counted as evicted (README: Bounds)', async () => {
    let queue = await h.open();
    const results = await Promise.allSettled([
      ...['i1', 'i2', 'i3', 'i4', 'i5'].map((id) => queue.notify(request(id, id))),
      queue.notify(request('c1', 'c1', 'Critical')),
      queue.notify(request('w1', 'w1', 'Warning')),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('fulfilled'));
    expect(ids(queue)).toEqual(['c1', 'w1', 'i3', 'i4', 'i5']);
    expect(events('warn', 'queue-evicted')).toEqual([
      { event: 'queue-evicted', ids: ['i1'], severities: ['Info'] },
      { event: 'queue-evicted', ids: ['i2'], severities: ['Info'] },
    ]);
    expect(queue.stats()).toMatchObject({ count: 5, evicted: { Info: 2 }, rejected: {} });
    // i1 and i2 were answered OK (above) yet never reached the file: inserted and deleted in one transaction
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['c1', 'w1', 'i3', 'i4', 'i5']);
    // a retry of an evicted one queues it again
    expect(await queue.notify(request('i1', 'i1', 'Warning'))).toEqual({ id: 'i1', coalesced: false });
    expect(ids(queue)).toEqual(['c1', 'w1', 'i1', 'i4', 'i5']);
  });

  it('an uncommitted notification evicted in its tick takes its merges and aliases with it', async () => {
    let queue = await h.open();
    const results = await Promise.all([
      queue.notify(keyed('i1', 'i1', 'Info', 'k')),
      queue.notify(keyed('x', 'x', 'Info', 'k')), // merges into i1, alias x → i1
      ...['i2', 'i3', 'i4', 'i5'].map((id) => queue.notify(request(id, id))),
      queue.notify(request('c1', 'c1', 'Critical')), // evicts i1, not yet committed
      queue.notify(keyed('y', 'y', 'Info', 'k')), // i1 is gone: a new entry, evicting i2
    ]);
    expect(results).toEqual([
      { id: 'i1', coalesced: false },
      { id: 'i1', coalesced: true },
      ...['i2', 'i3', 'i4', 'i5'].map((id) => ({ id, coalesced: false })),
      { id: 'c1', coalesced: false },
      { id: 'y', coalesced: false },
    ]);
    expect(ids(queue)).toEqual(['c1', 'i3', 'i4', 'i5', 'y']);
    const bytes =
      sizeOf(request('c1', 'c1', 'Critical')) + 3 * sizeOf(request('i3', 'i3')) + sizeOf(keyed('y', 'y', 'Info', 'k'));
    expect(queue.stats()).toMatchObject({ count: 5, bytes, evicted: { Info: 2 }, coalesced: { Info: 1 } });
    expect(h.aliases()).toEqual([]);
    // "x" no longer names anything: a retry merges into the entry that now holds the key
    expect(await queue.notify(keyed('x', 'x', 'Info', 'k'))).toEqual({ id: 'y', coalesced: true });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['c1', 'i3', 'i4', 'i5', 'y']);
    expect(h.aliases()).toEqual([{ alias: 'x', id: 'y' }]);
  });

  it('in one tick, a newcomer less important than everything still rejects without side effects', async () => {
    const queue = await h.open();
    const results = await Promise.allSettled([
      ...['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => queue.notify(request(id, id, 'Critical'))),
      queue.notify(request('e1', 'e1', 'Error')),
    ]);
    expect(results.map((r) => r.status)).toEqual([...Array(5).fill('fulfilled'), 'rejected']);
    expect(ids(queue)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(queue.stats()).toMatchObject({ evicted: {}, rejected: { Error: { invalid: 0, full: 1 } } });
  });
});

function severityOfId(id: string): SeverityName {
  return ({ i: 'Info', w: 'Warning', e: 'Error', c: 'Critical' } as const)[id[0] as 'i' | 'w' | 'e' | 'c'];
}
