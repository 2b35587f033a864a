import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DEFAULT_NOTIFICATION_LIMITS,
  NotificationProperty,
  normalizeNotification,
  type SeverityName,
} from '@app/notification-model';
import { alerting } from '@app/proto';
import { AppError, InvalidArgumentError, ResourceExhaustedError, UnavailableError } from '@app/runtime';
import { captureNestLogs, waitFor } from '@app/testing';
import { NotificationQueue, type TakenNotification } from './notification-queue.js';
import { type QueueIndex } from './notification-queue/queue-index.js';
import type { QueueLimits } from './queue-limits.js';
import type { QueueWrite } from './queue-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';

const T0 = Date.UTC(2030, 0, 1);

/** A valid request; severity Info unless given. */
function request(
  id: string,
  title: string,
  severity?: SeverityName,
  properties: Record<string, string> = {},
  body = `body of ${title}`,
): alerting.AgentNotification {
  const props =
    severity === undefined ? { ...properties } : { [NotificationProperty.severity]: severity, ...properties };
  return { id, message: { title, body, properties: props } };
}

/** A request with an opni_dedupe_key. */
function keyed(id: string, title: string, severity: SeverityName, key: string, body?: string) {
  return request(id, title, severity, { [NotificationProperty.dedupeKey]: key }, body);
}

/** The stored size of a request's notification (what counts against maxBytes). */
function sizeOf(req: alerting.AgentNotification): number {
  return normalizeNotification(req.message, DEFAULT_NOTIFICATION_LIMITS).encoded.length;
}

/** The rejection of `promise`; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/**
 * A SqliteQueueStore that counts transactions, can fail the next commit, and
 * can hold commits back. Like the real store it writes a batch when called and
 * only its durability takes time: a held commit is written, not yet answered.
 * It writes a copy of the batch as it was when called, so a change the queue
 * made to a batch after handing it over would be lost here, as it would be in
 * the real store.
 */
class TestStore extends SqliteQueueStore {
  commits = 0;
  batches: QueueWrite[][] = [];
  failNext: Error | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  override async commit(writes: readonly QueueWrite[]): Promise<void> {
    this.commits++;
    const snapshot = writes.map((w) => (w.op === 'insert' ? { ...w, record: { ...w.record } } : { ...w }));
    this.batches.push(snapshot);
    const failure = this.failNext;
    if (failure) {
      this.failNext = undefined;
      throw failure;
    }
    const written = super.commit(snapshot);
    if (this.gate) await this.gate;
    return written;
  }

  /** Commits are written but not answered until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.openGate?.();
  }
}

/** A data directory with queues opened on it; everything is closed and deleted after each test. */
class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'agent-queue-'));
  readonly path = join(this.dir, 'queue.db');
  time = T0;
  readonly clock = { now: () => this.time };
  private readonly open_ = new Set<NotificationQueue>();
  store!: TestStore;

  constructor(public limits: QueueLimits = { maxCount: 5, maxBytes: 1 << 20 }) {}

  async open(limits: QueueLimits = this.limits): Promise<NotificationQueue> {
    this.store = new TestStore(this.path);
    const queue = new NotificationQueue(this.store, limits, DEFAULT_NOTIFICATION_LIMITS, this.clock);
    await queue.onModuleInit();
    this.open_.add(queue);
    return queue;
  }

  async close(queue: NotificationQueue): Promise<void> {
    this.open_.delete(queue);
    await queue.onModuleDestroy();
  }

  /** Closes `queue` and opens a new one on the same directory (a restart). */
  async reopen(queue: NotificationQueue, limits?: QueueLimits): Promise<NotificationQueue> {
    await this.close(queue);
    return this.open(limits);
  }

  /** Rows of the alias table, read with a separate connection. */
  aliases(): { alias: string; id: string }[] {
    const db = new Database(this.path, { readonly: true });
    try {
      return db
        .prepare('SELECT a.alias, q.id FROM queue_alias a JOIN queue q ON q.seq = a.seq ORDER BY alias')
        .all() as { alias: string; id: string }[];
    } finally {
      db.close();
    }
  }

  /** Rows of the queue table, read with a separate connection. */
  rows(): { seq: number; id: string; severity: number; attempts: number; occurrences: number }[] {
    const db = new Database(this.path, { readonly: true });
    try {
      return db.prepare('SELECT seq, id, severity, attempts, occurrences FROM queue ORDER BY seq').all() as {
        seq: number;
        id: string;
        severity: number;
        attempts: number;
        occurrences: number;
      }[];
    } finally {
      db.close();
    }
  }

  async dispose(): Promise<void> {
    this.store?.release();
    for (const queue of this.open_) await queue.onModuleDestroy().catch(() => undefined);
    this.open_.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Ids in drain order (queued, not in flight). */
const ids = (queue: NotificationQueue): string[] => [...queue.entries()].map((e) => e.id);

/** Takes everything queued, in drain order. */
async function takeAll(queue: NotificationQueue): Promise<TakenNotification[]> {
  return queue.take(Number.MAX_SAFE_INTEGER);
}

/** Notifies one after another (each in its own commit). */
async function notifyAll(queue: NotificationQueue, requests: alerting.AgentNotification[]): Promise<string[]> {
  const result: string[] = [];
  for (const req of requests) result.push((await queue.notify(req)).id);
  return result;
}

let h: Harness;

/** What the queue logged, instead of printing it. */
const logged = captureNestLogs();
/** The structured fields logged at `level` with this event. */
const events = (level: string, event: string) =>
  logged
    .filter((line) => line.level === level && (line.fields as { event?: string })?.event === event)
    .map((line) => line.fields);

beforeEach(() => (logged.length = 0));
beforeEach(() => (h = new Harness()));
afterEach(() => h.dispose());

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

describe('NotificationQueue: drain order', () => {
  const mixed = [
    request('i1', 'i1', 'Info'),
    request('w1', 'w1', 'Warning'),
    request('c1', 'c1', 'Critical'),
    request('e1', 'e1', 'Error'),
    request('i2', 'i2'),
    request('c2', 'c2', 'Critical'),
    request('w2', 'w2', 'Warning'),
  ];
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

describe('NotificationQueue: recovery', () => {
  /** Inserts a row with the given columns directly into the queue table. */
  function insertRow(columns: Record<string, unknown>): void {
    const db = new Database(h.path);
    try {
      const row = {
        seq: 1000,
        id: 'row',
        severity: 0,
        bytes: 1,
        dedupe_key: null,
        created_at: T0,
        attempts: 0,
        occurrences: 1,
        payload: Buffer.from(alerting.Notification.encode({ title: 't', body: 'b', properties: {} }).finish()),
        ...columns,
      };
      const names = Object.keys(row);
      db.prepare(`INSERT INTO queue (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`).run(row);
    } finally {
      db.close();
    }
  }

  it.each<[label: string, columns: Record<string, unknown>, reason: string, quarantinedAs: string]>([
    ['severity 9', { seq: 900, id: 'sev9', severity: 9 }, 'severity is not 0..3', 'sev9'],
    ['negative seq', { seq: -5, id: 'negseq' }, 'seq is not an integer in [0, 2^40)', 'negseq'],
    ['seq beyond 2^40', { seq: 2 ** 41, id: 'bigseq' }, 'seq is not an integer in [0, 2^40)', 'bigseq'],
    ['empty id', { seq: 901, id: '' }, 'id is not a non-empty string', ''],
    ['id as a blob', { seq: 902, id: Buffer.from('blob-id') }, 'id is not a non-empty string', 'blob-id'],
    ['negative bytes', { seq: 903, id: 'negbytes', bytes: -1 }, 'bytes is not a non-negative integer', 'negbytes'],
    [
      'text created_at',
      { seq: 904, id: 'textdate', created_at: 'yesterday' },
      'created_at is not a timestamp',
      'textdate',
    ],
    ['fractional attempts', { seq: 905, id: 'frac', attempts: 1.5 }, 'attempts is not a non-negative integer', 'frac'],
    [
      'zero occurrences',
      { seq: 906, id: 'zeroocc', occurrences: 0 },
      'occurrences is not a positive integer',
      'zeroocc',
    ],
    [
      'blob dedupe key',
      { seq: 907, id: 'blobkey', dedupe_key: Buffer.from([1, 2]) },
      'dedupe_key is not text',
      'blobkey',
    ],
  ])(
    'a row with %s is quarantined and counted; valid rows still load',
    async (_label, columns, reason, quarantinedAs) => {
      let queue = await h.open();
      await notifyAll(queue, [request('a', 'a', 'Warning'), request('b', 'b', 'Critical')]);
      await h.close(queue);
      insertRow(columns);

      queue = await h.open();
      expect(ids(queue)).toEqual(['b', 'a']);
      expect(queue.stats()).toMatchObject({ count: 2, corrupt: 1 });
      expect(h.store.quarantined()).toEqual([{ seq: columns.seq, id: quarantinedAs, reason }]);
      expect(h.rows().map((r) => r.id)).toEqual(['a', 'b']);
      // the queue works, and a second restart finds nothing more to quarantine
      await queue.notify(request('c', 'c', 'Error'));
      queue = await h.reopen(queue);
      expect(ids(queue)).toEqual(['b', 'c', 'a']);
      expect(queue.stats().corrupt).toBe(0);
    },
  );

  it('a second row with an id already loaded is quarantined as a duplicate; the first stays', async () => {
    let queue = await h.open();
    await notifyAll(queue, [request('a', 'a', 'Warning'), request('b', 'b')]);
    await h.close(queue);
    insertRow({ seq: 60, id: 'a', severity: 3 });
    queue = await h.open();
    expect(ids(queue)).toEqual(['a', 'b']);
    expect(queue.stats()).toMatchObject({ count: 2, corrupt: 1, depth: { Warning: 1, Info: 1, Critical: 0 } });
    expect(h.store.quarantined()).toEqual([{ seq: 60, id: 'a', reason: expect.stringMatching(/^duplicate id/) }]);
  });

  it('several bad rows are all quarantined, counted once each', async () => {
    let queue = await h.open();
    await queue.notify(request('a', 'a'));
    await h.close(queue);
    insertRow({ seq: 50, id: 'x1', severity: 9 });
    insertRow({ seq: -1, id: 'x2' });
    insertRow({ seq: 51, id: '' });
    insertRow({ seq: 52, id: 'good', severity: 2 });
    queue = await h.open();
    expect(queue.stats()).toMatchObject({ count: 2, corrupt: 3 });
    expect(ids(queue)).toEqual(['good', 'a']);
    expect(
      h.store
        .quarantined()
        .map((q) => q.id)
        .sort(),
    ).toEqual(['', 'x1', 'x2']);
  });

  it('a row whose payload cannot be decoded is quarantined when taken, and take goes on with the next', async () => {
    let queue = await h.open();
    await notifyAll(queue, [request('a', 'a', 'Warning'), request('b', 'b', 'Info')]);
    await h.close(queue);
    insertRow({ seq: 10, id: 'garbage', severity: 3, bytes: 4, payload: Buffer.from([0xff, 0xff, 0xff, 0xff]) });
    queue = await h.open();
    expect(ids(queue)).toEqual(['garbage', 'a', 'b']);
    expect(queue.stats().corrupt).toBe(0);

    const taken = await queue.take(1);
    expect(taken.map((t) => t.id)).toEqual(['a']);
    expect(queue.stats()).toMatchObject({ count: 2, inFlight: 1, corrupt: 1, depth: { Critical: 0 } });
    expect(h.store.quarantined()).toMatchObject([{ seq: 10, id: 'garbage' }]);
    expect(events('error', 'queue-entry-quarantined')).toMatchObject([{ id: 'garbage' }]);
    expect(h.store.quarantined()[0].reason).toMatch(/^payload unreadable: /);
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['a', 'b']);
    expect(queue.stats().corrupt).toBe(0);
  });

  it('a queue.db that is not a database is moved aside and the queue starts empty', async () => {
    writeFileSync(h.path, randomBytes(8192));
    let queue = await h.open();
    expect(queue.stats()).toMatchObject({ count: 0, corrupt: 1 });
    const aside = readdirSync(h.dir).filter((f) => f.startsWith('queue.db.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(events('error', 'queue-file-unreadable')).toEqual([
      { event: 'queue-file-unreadable', movedAside: join(h.dir, aside[0]) },
    ]);
    expect(aside[0]).toMatch(/^queue\.db\.corrupt-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/);
    // and it works normally afterwards
    await queue.notify(request('a', 'a'));
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['a']);
    expect(queue.stats().corrupt).toBe(0);
  });

  it.each([
    ['every page after the schema', 0],
    ['the second half of the pages', 0.5],
  ])('a database with damaged pages (%s) is moved aside, not a crash loop', async (_label, from) => {
    h.limits = { maxCount: 10_000, maxBytes: 1 << 30 };
    let queue = await h.open();
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => queue.notify(request(`n${i}`, `title ${i}`, 'Info', {}, 'x'.repeat(100)))),
    );
    await h.close(queue);
    // The first page (the schema) stays readable, the rows from `from` on do not.
    const db = new Database(h.path);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const size = statSync(h.path).size;
    const start = Math.max(1, Math.floor((from * size) / pageSize)) * pageSize;
    const fd = openSync(h.path, 'r+');
    writeSync(fd, Buffer.alloc(size - start, 0xa5), 0, size - start, start);
    closeSync(fd);

    queue = await h.open(); // does not throw
    // nothing read before the damage showed is kept: it is not in the new file
    expect(queue.stats()).toMatchObject({ count: 0, bytes: 0, corrupt: 1 });
    expect(ids(queue)).toEqual([]);
    expect(readdirSync(h.dir).filter((f) => f.startsWith('queue.db.corrupt-'))).toHaveLength(1);
    expect(await queue.notify(request('n0', 'n0'))).toEqual({ id: 'n0', coalesced: false });
    queue = await h.reopen(queue);
    expect(ids(queue)).toEqual(['n0']);
    expect(queue.stats()).toMatchObject({ count: 1, corrupt: 0 });
  });
});

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
