import { UnavailableError } from '@app/runtime';
import type { QueueStore, QueueWrite } from '../queue-store.js';
import { GroupCommit } from './group-commit.js';

// GroupCommit on its own, over a store whose commits the test settles by hand; the queue-level behaviour
// (through NotificationQueue and SQLite) is in group-commit.spec.ts.

class ManualStore {
  readonly handed: { writes: readonly QueueWrite[]; settle: (error?: Error) => void }[] = [];
  commit(writes: readonly QueueWrite[]): Promise<void> {
    return new Promise((resolve, reject) =>
      this.handed.push({ writes, settle: (error) => (error ? reject(error) : resolve()) }),
    );
  }
  syncs(): number {
    return 7;
  }
}

const quiet = { log() {}, error() {}, warn() {} };
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('gathers the changes of one event-loop turn into one batch, handed to the store at the end of the turn', async () => {
    const store = new ManualStore();
    const commits = new GroupCommit(store as unknown as QueueStore, quiet, () => undefined);
    const batch = commits.current();
    expect(commits.current()).toBe(batch);
    batch.writes.push({ op: 'delete', seq: 1 });
    expect(store.handed).toHaveLength(0);
    await turn();
    expect(store.handed.map((h) => h.writes)).toEqual([[{ op: 'delete', seq: 1 }]]);
    expect(commits.batch).toBeUndefined();
    expect(commits.current()).not.toBe(batch);
  });

  it('settles batches in order, each once durable, and calls `settled` after each', async () => {
    const store = new ManualStore();
    const order: string[] = [];
    const commits = new GroupCommit(store as unknown as QueueStore, quiet, () => order.push('settled'));
    const first = commits.current();
    first.onCommit.push(() => order.push('first'));
    await turn();
    const second = commits.current();
    second.onCommit.push(() => order.push('second'));
    await turn();
    store.handed[1].settle(); // the later one is durable first
    await turn();
    expect(order).toEqual([]);
    store.handed[0].settle();
    await commits.idle();
    expect(order).toEqual(['first', 'settled', 'second', 'settled']);
  });

  it('a failed commit runs onFailure and rejects with UnavailableError; stats count only what committed', async () => {
    const store = new ManualStore();
    const commits = new GroupCommit(store as unknown as QueueStore, quiet, () => undefined);
    const ok = commits.current();
    ok.writes.push({ op: 'delete', seq: 1 }, { op: 'delete', seq: 2 });
    await turn();
    const failing = commits.current();
    failing.writes.push({ op: 'delete', seq: 3 });
    let undone = false;
    failing.onFailure.push(() => (undone = true));
    await turn();
    store.handed[0].settle();
    store.handed[1].settle(new Error('disk full'));
    await expect(failing.done).rejects.toBeInstanceOf(UnavailableError);
    await ok.done;
    expect(undone).toBe(true);
    expect(commits.stats()).toMatchObject({ transactions: 1, writes: 2, syncs: 7 });
  });
});
