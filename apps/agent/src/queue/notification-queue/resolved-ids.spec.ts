import type { QueueStore } from '../queue-store.js';
import { Batch } from './group-commit.js';
import { ResolvedIds } from './resolved-ids.js';

// ResolvedIds on its own, with a store that only answers resolvedIds(): what it writes into a batch, what it
// remembers once the batch commits, and the bound. The queue-level behaviour is in notification-queue.state.spec.ts.

const storeWith = (ids: string[]) => ({ resolvedIds: async () => ids }) as unknown as QueueStore;

describe('ResolvedIds', () => {
  it('is inactive and loads nothing until a prefix is registered', async () => {
    let reads = 0;
    const store = { resolvedIds: async () => (reads++, ['k8s/a']) };
    const resolved = new ResolvedIds(store as unknown as QueueStore);
    expect(resolved.active).toBe(false);
    await resolved.load();
    expect(reads).toBe(0);
    expect(resolved.recent.size).toBe(0);
  });

  it('loads the newest `max` remembered ids, oldest first', async () => {
    const resolved = new ResolvedIds(storeWith(['k8s/1', 'k8s/2', 'k8s/3', 'k8s/4']));
    resolved.register('k8s/', 3);
    expect(resolved.active).toBe(true);
    await resolved.load();
    expect([...resolved.recent]).toEqual(['k8s/2', 'k8s/3', 'k8s/4']);
  });

  it('writes only ids with a registered prefix, and remembers them once the batch commits', () => {
    const resolved = new ResolvedIds(storeWith([]));
    resolved.register('k8s/', 10);
    const batch = new Batch();
    resolved.write(batch, ['k8s/a', 'other', 'k8s/b']);
    expect(batch.writes).toEqual([
      { op: 'resolved', id: 'k8s/a' },
      { op: 'resolved', id: 'k8s/b' },
    ]);
    expect(resolved.recent.size).toBe(0);
    batch.committed();
    expect([...resolved.recent]).toEqual(['k8s/a', 'k8s/b']);
  });

  it('keeps at most `max` in memory, dropping the oldest, and trims the store every 1024 writes', () => {
    const resolved = new ResolvedIds(storeWith([]));
    resolved.register('k8s/', 2);
    const first = new Batch();
    resolved.write(first, ['k8s/1', 'k8s/2', 'k8s/3']);
    first.committed();
    expect([...resolved.recent]).toEqual(['k8s/2', 'k8s/3']);
    const many = new Batch();
    resolved.write(
      many,
      Array.from({ length: 1021 }, (_, i) => `k8s/m${i}`),
    );
    expect(many.writes.at(-1)).toEqual({ op: 'trimResolved', keep: 2 });
  });

  it('remembers nothing when the batch fails', () => {
    const resolved = new ResolvedIds(storeWith([]));
    resolved.register('k8s/', 10);
    const batch = new Batch();
    resolved.write(batch, ['k8s/a']);
    batch.failed(new Error('disk gone'));
    expect(resolved.recent.size).toBe(0);
  });
});
