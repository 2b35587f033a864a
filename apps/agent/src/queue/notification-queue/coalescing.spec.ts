import { NotificationProperty, type SeverityName } from '@app/notification-model';
import { alerting } from '@app/proto';
import { waitFor } from '@app/testing';
import type { QueueIndex } from './queue-index.js';
import {
  T0,
  request,
  keyed,
  ids,
  takeAll,
  notifyAll,
  useQueueHarness,
  type Harness,
} from '../testing/queue-harness.js';

let h: Harness;
useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: dedupe-key coalescing', () => {
  it.each<[label: string, first: SeverityName, second: SeverityName, merged: SeverityName]>([
    ['second more important', 'Warning', 'Error', 'Error'],
    ['second less important', 'Critical', 'Info', 'Critical'],
    ['same severity', 'Error', 'Error', 'Error'],
  ])('%s: one entry, latest content, the higher severity', async (_label, first, second, merged) => {
    const queue = await h.open();
    expect(await queue.notify(keyed('a', 'title 1', first, 'disk', 'body 1'))).toEqual({ id: 'a', coalesced: false });
    h.time += 1000;
    expect(await queue.notify(keyed('b', 'title 2', second, 'disk', 'body 2'))).toEqual({ id: 'a', coalesced: true });
    const stats = queue.stats();
    expect(stats.count).toBe(1);
    expect(stats.depth[merged]).toBe(1);
    expect(stats.oldestCreatedAt).toBe(T0);
    expect(stats.coalesced).toEqual({ [merged]: 1 });
    const [taken] = await takeAll(queue);
    expect(taken).toEqual({
      id: 'a',
      severity: alerting.OpniSeverity[merged],
      attempt: 1,
      encoded: expect.any(Uint8Array),
      notification: {
        title: 'title 2',
        body: 'body 2',
        properties: {
          [NotificationProperty.severity]: merged,
          [NotificationProperty.goldenSignal]: 'Custom',
          [NotificationProperty.dedupeKey]: 'disk',
          [NotificationProperty.occurrences]: '2',
          [NotificationProperty.uuid]: 'a',
        },
      },
    });
  });

  it('counts occurrences 2, then 3, and keeps the latest properties', async () => {
    const queue = await h.open();
    await queue.notify(keyed('a', 't1', 'Info', 'k'));
    await queue.notify(request('b', 't2', 'Warning', { [NotificationProperty.dedupeKey]: 'k', team: 'x' }));
    let [taken] = await queue.take(1);
    expect(taken.notification.properties[NotificationProperty.occurrences]).toBe('2');
    queue.requeue();
    // A requeued entry was pushed: the gateway may hold it already and keeps the first version of an id,
    // so a merge into it would be lost there. The next same-key notify starts a new entry.
    expect(
      await queue.notify(request('c', 't3', 'Info', { [NotificationProperty.dedupeKey]: 'k', team: 'y' })),
    ).toEqual({ id: 'c', coalesced: false });
    expect(await queue.notify(keyed('d', 't4', 'Info', 'k'))).toEqual({ id: 'c', coalesced: true });
    [taken] = await queue.take(1);
    expect(taken.id).toBe('a');
    [taken] = await queue.take(1);
    expect(taken.notification.title).toBe('t4');
    expect(taken.notification.properties).toMatchObject({ [NotificationProperty.occurrences]: '2' });
    expect(queue.stats().count).toBe(2);
  });

  it('a notification standing for several occurrences (opni_occurrences) adds them all, before and after the write', async () => {
    const queue = await h.open();
    const standingFor = (id: string, count: number) =>
      request(id, id, 'Info', {
        [NotificationProperty.dedupeKey]: 'k',
        [NotificationProperty.occurrences]: String(count),
      });
    // b merges into a while a's insert is still pending; c merges into the written entry.
    const [a, b] = await Promise.all([queue.notify(standingFor('a', 3)), queue.notify(standingFor('b', 4))]);
    expect([a, b]).toEqual([
      { id: 'a', coalesced: false },
      { id: 'a', coalesced: true },
    ]);
    expect(await queue.notify(standingFor('c', 2))).toEqual({ id: 'a', coalesced: true });
    expect([...queue.entries()].map((e) => [e.id, e.occurrences])).toEqual([['a', 9]]);
    const reopened = await h.reopen(queue);
    expect([...reopened.entries()].map((e) => [e.id, e.occurrences])).toEqual([['a', 9]]);
    const [taken] = await reopened.take(1);
    expect(taken.notification.properties[NotificationProperty.occurrences]).toBe('9');
  });

  it('an entry pushed before a restart is not merged into after it', async () => {
    let queue = await h.open();
    await queue.notify(keyed('a', 't1', 'Warning', 'k'));
    await queue.take(1); // pushed; the agent dies before the gateway's Resolve
    queue = await h.reopen(queue);
    expect(await queue.notify(keyed('b', 't2', 'Warning', 'k'))).toEqual({ id: 'b', coalesced: false });
    expect(await queue.notify(keyed('c', 't3', 'Warning', 'k'))).toEqual({ id: 'b', coalesced: true });
  });

  it('bytes follow the merged payload', async () => {
    let queue = await h.open();
    await queue.notify(keyed('a', 'short', 'Info', 'k', 'b'));
    await queue.notify(keyed('b', 'a much longer title than before', 'Info', 'k', 'a much longer body'));
    const bytes = queue.stats().bytes;
    const [taken] = await queue.take(1);
    const { [NotificationProperty.uuid]: _uuid, ...stored } = taken.notification.properties;
    expect(bytes).toBe(alerting.Notification.encode({ ...taken.notification, properties: stored }).finish().length);
    queue.requeue();
    queue = await h.reopen(queue);
    expect(queue.stats().bytes).toBe(bytes);
  });

  it('the merged entry keeps its place in line (its age) within its new severity', async () => {
    const queue = await h.open();
    await notifyAll(queue, [
      keyed('a', 'a', 'Info', 'k'),
      request('w1', 'w1', 'Warning'),
      request('w2', 'w2', 'Warning'),
    ]);
    await queue.notify(keyed('b', 'b', 'Warning', 'k'));
    expect(ids(queue)).toEqual(['a', 'w1', 'w2']);
  });

  it('concurrent same-key notifies in one tick coalesce', async () => {
    let queue = await h.open();
    const results = await Promise.all([
      queue.notify(keyed('a', 't1', 'Info', 'k')),
      queue.notify(keyed('b', 't2', 'Error', 'k')),
      queue.notify(keyed('', 't3', 'Warning', 'k')),
      queue.notify(keyed('x', 'other key', 'Info', 'other')),
    ]);
    expect(results).toEqual([
      { id: 'a', coalesced: false },
      { id: 'a', coalesced: true },
      { id: 'a', coalesced: true },
      { id: 'x', coalesced: false },
    ]);
    expect(queue.stats().count).toBe(2);
    queue = await h.reopen(queue);
    const taken = await takeAll(queue);
    expect(taken.map((t) => [t.id, t.notification.title, t.severity])).toEqual([
      ['a', 't3', 2],
      ['x', 'other key', 0],
    ]);
    expect(taken[0].notification.properties[NotificationProperty.occurrences]).toBe('3');
    // "b" was an explicit id: a retry is idempotent; '' was not remembered.
    expect(await queue.notify(keyed('b', 't2', 'Error', 'k'))).toEqual({ id: 'a', coalesced: true });
  });

  it('an entry in flight is not merged into: a new same-key notify makes a new entry', async () => {
    let queue = await h.open();
    await queue.notify(keyed('a', 't1', 'Warning', 'k'));
    const [taken] = await queue.take(1);
    expect(taken.id).toBe('a');
    expect(await queue.notify(keyed('b', 't2', 'Warning', 'k'))).toEqual({ id: 'b', coalesced: false });
    expect(await queue.notify(keyed('c', 't3', 'Info', 'k'))).toEqual({ id: 'b', coalesced: true });
    expect(queue.stats()).toMatchObject({ count: 2, inFlight: 1 });
    // requeue puts "a" back in front; new merges still go to "b"
    queue.requeue();
    expect(await queue.notify(keyed('d', 't4', 'Info', 'k'))).toEqual({ id: 'b', coalesced: true });
    expect([...queue.entries()].map((e) => [e.id, e.occurrences])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    queue = await h.reopen(queue);
    expect([...queue.entries()].map((e) => [e.id, e.occurrences])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
  });

  it('after a restart, a recovered entry is not merged into; new entries of its key are', async () => {
    // A recovered entry may have been pushed just before a crash (its attempt count is written after the push
    // goes out): the gateway keeps the first version of an id, so a merge into it could be lost there.
    let queue = await h.open();
    await queue.notify(keyed('a', 't1', 'Warning', 'k'));
    await queue.notify(request('z', 'unrelated', 'Critical'));
    queue = await h.reopen(queue);
    expect(await queue.notify(keyed('b', 't2', 'Error', 'k'))).toEqual({ id: 'b', coalesced: false });
    expect(await queue.notify(keyed('c', 't3', 'Info', 'k'))).toEqual({ id: 'b', coalesced: true });
    expect(queue.stats().count).toBe(3);
    queue = await h.reopen(queue);
    const taken = await takeAll(queue);
    expect(
      taken.map((t) => [t.id, t.notification.title, t.notification.properties[NotificationProperty.occurrences]]),
    ).toEqual([
      ['z', 'unrelated', undefined],
      ['b', 't3', '2'],
      ['a', 't1', undefined],
    ]);
    expect(taken[1].notification.properties[NotificationProperty.severity]).toBe('Error');
  });

  it('an empty dedupe key does not coalesce', async () => {
    const queue = await h.open();
    await queue.notify(keyed('a', 't1', 'Info', ''));
    expect(await queue.notify(keyed('b', 't2', 'Info', ''))).toEqual({ id: 'b', coalesced: false });
    expect(queue.stats().count).toBe(2);
  });

  it('a resolved entry is not merged into', async () => {
    const queue = await h.open();
    await queue.notify(keyed('a', 't1', 'Info', 'k'));
    expect(await queue.resolve('a')).toBe(true);
    expect(await queue.notify(keyed('b', 't2', 'Info', 'k'))).toEqual({ id: 'b', coalesced: false });
  });

  it('the in-memory index does not keep merged payloads', async () => {
    const queue = await h.open();
    await queue.notify(keyed('a', 't1', 'Info', 'k'));
    await queue.notify(keyed('b', 't2', 'Info', 'k', 'x'.repeat(10_000)));
    // The index holds a slot number; the table behind it holds these fields and no payload.
    const internals = (queue as unknown as { index: QueueIndex }).index;
    const slot = internals.queued.get('a');
    expect(typeof slot).toBe('number');
    expect(Object.keys(internals.table.fields(slot as number)).sort()).toEqual([
      'attempts',
      'bytes',
      'createdAt',
      'dedupeKey',
      'occurrences',
      'seq',
      'severity',
    ]);
  });
});

describe('NotificationQueue: merging into a batch already written', () => {
  it('a notification merging into an insert that is written but not yet durable waits for it, then merges', async () => {
    const queue = await h.open();
    h.store.hold();
    const first = queue.notify(keyed('a', 'first', 'Info', 'K'));
    await waitFor(() => h.store.commits === 1, { description: 'the insert to be written' });
    const second = queue.notify(keyed('b', 'second', 'Error', 'K'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.store.commits).toBe(1); // the merge did not touch the written batch, nor start its own yet
    h.store.release();
    expect(await first).toEqual({ id: 'a', coalesced: false });
    expect(await second).toEqual({ id: 'a', coalesced: true });
    expect([...queue.entries()].map((e) => `${e.id}:${e.severity}:${e.occurrences}`)).toEqual(['a:Error:2']);
    const reopened = await h.reopen(queue);
    expect([...reopened.entries()].map((e) => `${e.id}:${e.severity}:${e.occurrences}`)).toEqual(['a:Error:2']);
    const [taken] = await reopened.take(1);
    expect(taken.notification.title).toBe('second');
  });

  it('a second merge into an entry whose first merge is written but not yet durable waits, then merges', async () => {
    const queue = await h.open();
    await queue.notify(keyed('a', 'first', 'Info', 'K'));
    h.store.hold();
    const second = queue.notify(keyed('b', 'second', 'Warning', 'K'));
    await waitFor(() => h.store.commits === 2, { description: 'the first merge to be written' });
    const third = queue.notify(keyed('c', 'third', 'Info', 'K'));
    h.store.release();
    expect(await second).toEqual({ id: 'a', coalesced: true });
    expect(await third).toEqual({ id: 'a', coalesced: true });
    const reopened = await h.reopen(queue);
    expect([...reopened.entries()].map((e) => `${e.id}:${e.severity}:${e.occurrences}`)).toEqual(['a:Warning:3']);
    const [taken] = await reopened.take(1);
    expect(taken.notification.title).toBe('third');
  });
});
