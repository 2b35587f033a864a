import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NOTIFICATION_LIMITS, NotificationProperty } from '@app/notification-model';
import type { alerting } from '@app/proto';
import { InvalidArgumentError, ResourceExhaustedError } from '@app/runtime';
import { NotificationQueue } from './notification-queue.js';
import type { QueueWrite } from './queue-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';

// The API an event source uses: notifications and its cursor in one
// transaction (notifyWithState), and resolved ids remembered across restarts
// (rememberResolved), so a source resumes without gaps and without repeats.

class RecordingStore extends SqliteQueueStore {
  batches: QueueWrite[][] = [];
  failNext: Error | undefined;
  override async commit(writes: readonly QueueWrite[]): Promise<void> {
    this.batches.push([...writes]);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    return super.commit(writes);
  }
}

const request = (id: string, title: string, properties: Record<string, string> = {}): alerting.AgentNotification => ({
  id,
  message: { title, body: `body of ${title}`, properties },
});

describe('NotificationQueue source API', () => {
  let dir: string;
  let store: RecordingStore;
  const open: NotificationQueue[] = [];
  const start = async (options: { remember?: boolean; maxCount?: number } = {}) => {
    store = new RecordingStore(join(dir, 'queue.db'), 'os');
    const queue = new NotificationQueue(
      store,
      { maxCount: options.maxCount ?? 100, maxBytes: 1 << 20 },
      DEFAULT_NOTIFICATION_LIMITS,
      { now: () => Date.now() },
    );
    if (options.remember) queue.rememberResolved('k8s/', 3);
    await queue.onModuleInit();
    open.push(queue);
    return queue;
  };
  const restart = async (queue: NotificationQueue, options?: { remember?: boolean }) => {
    open.splice(open.indexOf(queue), 1);
    await queue.onModuleDestroy();
    return start(options);
  };

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'queue-state-'))));
  afterEach(async () => {
    for (const queue of open.splice(0)) await queue.onModuleDestroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the notifications and the state in one transaction, and reads the state back after a restart', async () => {
    let queue = await start();
    const key = { [NotificationProperty.dedupeKey]: 'pod-1/BackOff' };
    const results = await queue.notifyWithState(
      [request('a', 'A'), request('b', 'B', key), request('c', 'C', key), request('a', 'A again')],
      [{ key: 'cursor', value: '42' }],
    );
    expect(results).toEqual([
      { id: 'a', coalesced: false },
      { id: 'b', coalesced: false },
      { id: 'b', coalesced: true },
      { id: 'a', coalesced: false, duplicate: true },
    ]);
    expect(store.batches).toHaveLength(1);
    expect(store.batches[0].map((w) => w.op)).toEqual(['insert', 'insert', 'alias', 'state']);
    queue = await restart(queue);
    expect(await queue.readState('cursor')).toBe('42');
    expect([...queue.entries()].map((e) => [e.id, e.occurrences])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('answers each invalid or refused notification with its error and still writes the state', async () => {
    const queue = await start({ maxCount: 1 });
    const results = await queue.notifyWithState(
      [request('ok', 'fine'), request('bad', ' '), request('full', 'no room')],
      [{ key: 'cursor', value: '7' }],
    );
    expect(results[0]).toEqual({ id: 'ok', coalesced: false });
    expect(results[1]).toBeInstanceOf(InvalidArgumentError);
    // Same severity (Info) as the queued one: the newcomer evicts the older entry, so both answer OK.
    expect(results[2]).toEqual({ id: 'full', coalesced: false });
    expect(await queue.readState('cursor')).toBe('7');
    const critical = await queue.notifyWithState(
      [request('crit', 'C', { [NotificationProperty.severity]: 'Critical' })],
      [],
    );
    expect(critical[0]).toEqual({ id: 'crit', coalesced: false });
    const refused = await queue.notifyWithState([request('info', 'I')], [{ key: 'cursor', value: '8' }]);
    expect(refused[0]).toBeInstanceOf(ResourceExhaustedError);
    expect(await queue.readState('cursor')).toBe('8');
  });

  it('stores nothing of the call when the transaction fails', async () => {
    const queue = await start();
    store.failNext = new Error('disk gone');
    await expect(queue.notifyWithState([request('x', 'X')], [{ key: 'cursor', value: '1' }])).rejects.toThrow(
      'could not store the change: disk gone',
    );
    expect(await queue.readState('cursor')).toBeUndefined();
    expect(queue.stats().count).toBe(0);
  });

  it('waits for an earlier write of the entry it merges into, then commits everything in one later transaction', async () => {
    const queue = await start();
    const key = { [NotificationProperty.dedupeKey]: 'k' };
    const first = queue.notify(request('first', 'F', key));
    // The first batch is handed to the store at the end of this turn; the source call lands after it.
    await new Promise((resolve) => setImmediate(resolve));
    const results = await queue.notifyWithState(
      [request('second', 'S', key), request('other', 'O')],
      [{ key: 'c', value: '2' }],
    );
    await first;
    expect(results).toEqual([
      { id: 'first', coalesced: true },
      { id: 'other', coalesced: false },
    ]);
    const last = store.batches[store.batches.length - 1].map((w) => w.op);
    expect(last).toEqual(['replace', 'alias', 'insert', 'state']);
  });

  it('remembers resolved ids of the registered prefix, coalesced ones included, bounded, across restarts', async () => {
    let queue = await start({ remember: true });
    const key = { [NotificationProperty.dedupeKey]: 'k' };
    await queue.notifyWithState([request('k8s/1', 'one', key), request('k8s/2', 'two', key)], []);
    await queue.notify(request('other', 'not remembered'));
    await queue.take(10);
    expect(await queue.resolve('k8s/1')).toBe(true);
    expect(await queue.resolve('other')).toBe(true);
    queue = await restart(queue, { remember: true });
    expect(queue.wasResolved('k8s/1')).toBe(true);
    expect(queue.wasResolved('k8s/2')).toBe(true); // merged into k8s/1, resolved with it
    expect(queue.wasResolved('other')).toBe(false);
    expect(await queue.notifyWithState([request('k8s/2', 'two again')], [])).toEqual([
      { id: 'k8s/2', coalesced: false, alreadyResolved: true, duplicate: true },
    ]);
    expect(queue.stats().count).toBe(0);
    // The bound (3): the oldest are forgotten first.
    for (const n of [3, 4]) {
      await queue.notify(request(`k8s/${n}`, `n${n}`));
      await queue.take(1);
      await queue.resolve(`k8s/${n}`);
    }
    expect(['k8s/1', 'k8s/2', 'k8s/3', 'k8s/4'].map((id) => queue.wasResolved(id))).toEqual([false, true, true, true]);
    queue = await restart(queue, { remember: true });
    expect(queue.wasResolved('k8s/4')).toBe(true);
  });
});
