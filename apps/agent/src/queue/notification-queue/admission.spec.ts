import { DEFAULT_NOTIFICATION_LIMITS, NotificationProperty, type SeverityName } from '@app/notification-model';
import { alerting } from '@app/proto';
import { AppError, InvalidArgumentError } from '@app/runtime';
import { request, keyed, rejection, ids, takeAll, useQueueHarness, type Harness } from '../testing/queue-harness.js';

let h: Harness;
useQueueHarness((harness) => (h = harness));

describe('NotificationQueue: bad input', () => {
  const longTitle = 'x'.repeat(DEFAULT_NOTIFICATION_LIMITS.maxTitleBytes + 1);
  it.each<[label: string, req: alerting.AgentNotification, field: string, countedAs: string]>([
    ['no message', { id: 'n1' }, 'message', 'Info'],
    ['empty title', request('n1', '', 'Error'), 'message.title', 'Error'],
    ['blank body', request('n1', 'title', 'Critical', {}, ' \t\n '), 'message.body', 'Critical'],
    ['title over the limit', request('n1', longTitle, 'Warning'), 'message.title', 'Warning'],
    [
      'unknown severity',
      request('n1', 'title', 'Bogus' as SeverityName),
      'message.properties["opni_severity"]',
      'unknown',
    ],
    [
      'unknown golden signal',
      request('n1', 'title', 'Info', { [NotificationProperty.goldenSignal]: 'Vibes' }),
      'message.properties["opni_goldenSignal"]',
      'Info',
    ],
    ['id of 257 bytes', request('a'.repeat(257), 'title', 'Critical'), 'id', 'Critical'],
    ['id of 86 three-byte characters (258 bytes)', request('€'.repeat(86), 'title'), 'id', 'Info'],
    ['id with a newline', request('id\n1', 'title'), 'id', 'Info'],
    ['id with NUL', request('id\u00001', 'title'), 'id', 'Info'],
    ['id with DEL', request('id\u007f', 'title'), 'id', 'Info'],
    ['id with a C1 control (NEL)', request('id\u0085', 'title'), 'id', 'Info'],
    ['id with a tab', request('\tid', 'title', 'Error'), 'id', 'Error'],
    ['id with a lone surrogate', request('id\ud800', 'title'), 'id', 'Info'],
  ])('%s: InvalidArgumentError naming the field, nothing stored, counted', async (_label, req, field, countedAs) => {
    let queue = await h.open();
    await queue.notify(request('keep', 'already queued', 'Warning'));
    const before = queue.stats();

    const error = await rejection(queue.notify(req));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
    expect((error as AppError).kind).toBe('invalid-argument');
    expect(error.message.startsWith(`${field}: `)).toBe(true);

    await queue.idle();
    const after = queue.stats();
    expect(after.count).toBe(1);
    expect(after.bytes).toBe(before.bytes);
    expect(after.rejected).toEqual({ [countedAs]: { invalid: 1, full: 0 } });
    expect(ids(queue)).toEqual(['keep']);

    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['keep']);
    expect(h.rows().map((r) => r.id)).toEqual(['keep']);
  });

  it.each([
    ['256 ASCII bytes', 'a'.repeat(256)],
    ['85 three-byte characters (255 bytes)', '€'.repeat(85)],
    ['printable punctuation and spaces', 'app/disk full #1 (node-1)'],
    ['non-BMP characters', '😀'.repeat(64)],
  ])('accepts an id of %s', async (_label, id) => {
    let queue = await h.open();
    expect(await queue.notify(request(id, 'title'))).toEqual({ id, coalesced: false });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual([id]);
  });

  it('counts each rejection, per severity', async () => {
    const queue = await h.open();
    await rejection(queue.notify(request('a', '', 'Error')));
    await rejection(queue.notify(request('b', '', 'Error')));
    await rejection(queue.notify(request('c\n', 'x', 'critical' as SeverityName)));
    expect(queue.stats().rejected).toEqual({ Error: { invalid: 2, full: 0 }, Critical: { invalid: 1, full: 0 } });
    expect(queue.stats().count).toBe(0);
  });
});

describe('NotificationQueue: idempotent ids', () => {
  it('a second notify with the same id changes nothing and answers the same id', async () => {
    let queue = await h.open();
    expect(await queue.notify(request('same', 'first', 'Warning'))).toEqual({ id: 'same', coalesced: false });
    expect(await queue.notify(request('same', 'second', 'Critical'))).toEqual({ id: 'same', coalesced: false });
    expect(queue.stats()).toMatchObject({ count: 1, depth: { Info: 0, Warning: 1, Error: 0, Critical: 0 } });
    queue = await h.reopen(queue);
    const [taken] = await takeAll(queue);
    expect(taken.notification.title).toBe('first');
    expect(taken.severity).toBe(1);
    expect(queue.stats().count).toBe(1);
  });

  it('also while the first is in flight', async () => {
    const queue = await h.open();
    await queue.notify(request('same', 'first'));
    expect((await queue.take(1)).map((t) => t.id)).toEqual(['same']);
    expect(await queue.notify(request('same', 'again'))).toEqual({ id: 'same', coalesced: false });
    expect(queue.stats()).toMatchObject({ count: 1, inFlight: 1 });
    expect(ids(queue)).toEqual([]);
  });

  it('concurrent duplicates in the same tick make one entry', async () => {
    let queue = await h.open();
    const results = await Promise.all([
      queue.notify(request('dup', 'one', 'Error')),
      queue.notify(request('dup', 'two', 'Error')),
      queue.notify(request('dup', 'three', 'Critical')),
      queue.notify(request('other', 'other')),
    ]);
    expect(results).toEqual([
      { id: 'dup', coalesced: false },
      { id: 'dup', coalesced: false },
      { id: 'dup', coalesced: false },
      { id: 'other', coalesced: false },
    ]);
    expect(queue.stats().count).toBe(2);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['dup', 'other']);
    expect((await takeAll(queue)).map((t) => t.notification.title)).toEqual(['one', 'other']);
  });

  it('an empty id gets a generated unique id', async () => {
    const queue = await h.open();
    const results = await Promise.all([
      queue.notify(request('', 'a')),
      queue.notify(request('', 'a')),
      queue.notify(request('', 'a')),
    ]);
    const more = await queue.notify(request('', 'a'));
    const all = [...results, more].map((r) => r.id);
    expect(new Set(all).size).toBe(4);
    for (const id of all) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ids(queue)).toEqual(all);
    const taken = await takeAll(queue);
    expect(taken.map((t) => t.notification.properties[NotificationProperty.uuid])).toEqual(all);
  });

  it('a retry with an id that was coalesced into another entry answers that entry and counts nothing', async () => {
    let queue = await h.open();
    expect(await queue.notify(keyed('first', 'v1', 'Warning', 'k'))).toEqual({ id: 'first', coalesced: false });
    expect(await queue.notify(keyed('second', 'v2', 'Warning', 'k'))).toEqual({ id: 'first', coalesced: true });
    // The client retries "second" (it timed out): nothing changes.
    expect(await queue.notify(keyed('second', 'v2 retried', 'Critical', 'k'))).toEqual({
      id: 'first',
      coalesced: true,
    });
    expect([...queue.entries()]).toMatchObject([{ id: 'first', occurrences: 2, severity: 'Warning' }]);
    expect(queue.stats().coalesced).toEqual({ Warning: 1 });

    queue = await h.reopen(queue);
    expect(await queue.notify(keyed('second', 'v2 after restart', 'Critical', 'k'))).toEqual({
      id: 'first',
      coalesced: true,
    });
    expect(await queue.notify(keyed('first', 'first after restart', 'Critical', 'k'))).toEqual({
      id: 'first',
      coalesced: false,
    });
    expect([...queue.entries()]).toMatchObject([{ id: 'first', occurrences: 2, severity: 'Warning' }]);
    const [taken] = await takeAll(queue);
    expect(taken.notification.title).toBe('v2');
    expect(taken.notification.properties[NotificationProperty.occurrences]).toBe('2');
  });

  it('concurrent retries of a coalescing id in the same tick count one occurrence', async () => {
    const queue = await h.open();
    await queue.notify(keyed('first', 'v1', 'Info', 'k'));
    const results = await Promise.all([
      queue.notify(keyed('second', 'v2', 'Info', 'k')),
      queue.notify(keyed('second', 'v2', 'Info', 'k')),
    ]);
    expect(results).toEqual([
      { id: 'first', coalesced: true },
      { id: 'first', coalesced: true },
    ]);
    expect([...queue.entries()]).toMatchObject([{ id: 'first', occurrences: 2 }]);
  });

  it('once the entry is resolved, its id and aliases are free again', async () => {
    let queue = await h.open();
    await queue.notify(keyed('first', 'v1', 'Info', 'k'));
    await queue.notify(keyed('second', 'v2', 'Info', 'k'));
    await queue.take(1);
    expect(await queue.resolve('first')).toBe(true);
    expect(await queue.notify(keyed('second', 'v3', 'Info', 'k'))).toEqual({ id: 'second', coalesced: false });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['second']);
  });
});
