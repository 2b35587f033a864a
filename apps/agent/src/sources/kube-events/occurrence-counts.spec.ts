import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NOTIFICATION_LIMITS } from '@app/notification-model';
import { NotificationQueue } from '../../queue/notification-queue.js';
import { SqliteQueueStore } from '../../queue/sqlite-queue-store.js';
import { OccurrenceCounts } from './occurrence-counts.js';

// The per-event counts a watcher commits beside its cursor, through a real queue on SQLite.

describe('OccurrenceCounts', () => {
  let dir: string;
  let queue: NotificationQueue;
  const open = async () => {
    queue = new NotificationQueue(
      new SqliteQueueStore(join(dir, 'queue.db'), 'os'),
      { maxCount: 100, maxBytes: 1 << 20 },
      DEFAULT_NOTIFICATION_LIMITS,
      { now: () => Date.now() },
    );
    await queue.onModuleInit();
  };
  const reopen = async () => {
    await queue.onModuleDestroy();
    await open();
  };
  const commit = (counts: OccurrenceCounts, now: number) => queue.notifyWithState([], counts.takeWrites(now));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'occurrence-counts-'));
    await open();
  });
  afterEach(async () => {
    await queue.onModuleDestroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('weighs the whole count first, then each rise, and nothing for a count seen before, across a restart', async () => {
    let counts = await OccurrenceCounts.load(queue, '*');
    expect([counts.weigh('a', 3, 1_000), counts.weigh('a', 3, 1_001), counts.weigh('a', 5, 1_002)]).toEqual([3, 0, 2]);
    await commit(counts, 1_002);
    await reopen();
    counts = await OccurrenceCounts.load(queue, '*');
    expect([counts.weigh('a', 5, 2_000), counts.weigh('a', 4, 2_000), counts.weigh('a', 9, 2_000)]).toEqual([0, 0, 4]);
    // Scopes (watchers of different namespaces) keep their own records.
    expect((await OccurrenceCounts.load(queue, 'payments')).weigh('a', 5, 2_000)).toBe(5);
  });

  it('forgets events not seen within the retention, and the least recently seen beyond the cap', async () => {
    const limits = { retentionMs: 1_000, maxEvents: 2 };
    const counts = await OccurrenceCounts.load(queue, '*', limits);
    counts.weigh('old', 1, 0);
    counts.weigh('b', 1, 900);
    counts.weigh('c', 1, 950);
    counts.weigh('b', 2, 990); // seen again: now the most recent
    counts.weigh('d', 1, 995);
    await commit(counts, 1_500);
    expect(counts.size).toBe(2);
    const loaded = await OccurrenceCounts.load(queue, '*', limits);
    expect([loaded.weigh('b', 2, 1_600), loaded.weigh('d', 1, 1_600)]).toEqual([0, 0]);
    expect([loaded.weigh('old', 1, 1_600), loaded.weigh('c', 1, 1_600)]).toEqual([1, 1]);
    expect([...(await queue.readStatesUnder('kube-events/occurrences/*/')).keys()].sort()).toEqual([
      'kube-events/occurrences/*/b',
      'kube-events/occurrences/*/d',
    ]);
  });

  it('forgets an unreadable record with the next commit instead of trusting it', async () => {
    await queue.notifyWithState([], [{ key: 'kube-events/occurrences/*/x', value: 'garbage' }]);
    const counts = await OccurrenceCounts.load(queue, '*');
    expect(counts.weigh('x', 2, 10)).toBe(2);
    await commit(counts, 10);
    expect(await queue.readState('kube-events/occurrences/*/x')).toBe('2 10');
    await queue.notifyWithState([], [{ key: 'kube-events/occurrences/*/y', value: '0 1' }]);
    await commit(await OccurrenceCounts.load(queue, '*'), 20);
    expect(await queue.readState('kube-events/occurrences/*/y')).toBeUndefined();
  });
});
