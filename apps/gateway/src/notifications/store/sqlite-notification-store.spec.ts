import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { InvalidArgumentError, UnavailableError } from '@app/runtime';
import { repoRoot, waitFor } from '@app/testing';
import { MAX_LIST_LIMIT, type IncomingNotification, type NotificationQuery } from './notification-store.js';
import { encodeCursor, SCHEMA_VERSION, SqliteNotificationStore } from './sqlite-notification-store.js';

const { OpniSeverity, GoldenSignal } = alerting;
const T0 = Date.UTC(2030, 0, 1);

let dir: string;
let path: string;
let store: SqliteNotificationStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gateway-notification-store-'));
  path = join(dir, 'notifications.db');
  store = new SqliteNotificationStore(path);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function incoming(id: string, overrides: Partial<IncomingNotification> = {}): IncomingNotification {
  const clusterId = overrides.clusterId ?? 'cluster-a';
  return {
    clusterId,
    id,
    notification: {
      title: `title ${id}`,
      body: `body of ${id}`,
      properties: { opni_uuid: id, opni_clusterId: clusterId, opni_severity: 'Warning', team: 'ünïcødé ✓' },
    },
    severity: OpniSeverity.Warning,
    goldenSignal: GoldenSignal.Custom,
    receivedAt: new Date(T0),
    ...overrides,
  };
}

/** Stores them in one group commit; returns the seqs. */
async function storeAll(notifications: IncomingNotification[]): Promise<bigint[]> {
  const results = await Promise.all(notifications.map((notification) => store.store(notification)));
  return results.map((result) => result.stored.seq);
}

async function ids(query: NotificationQuery): Promise<string[]> {
  return (await store.list(query)).notifications.map((n) => n.id);
}

/** The error `promise` rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(
        `expected a rejection, got ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
      );
    },
    (error: unknown) => error,
  );
}

async function invalidField(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  return (error as InvalidArgumentError).field;
}

function rowCount(): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM notifications').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe.each(['main', 'worker'] as const)('SqliteNotificationStore: store (commits on %s)', (commitOn) => {
  beforeEach(async () => {
    await store.close();
    store = new SqliteNotificationStore(path, { commitOn });
  });

  it('stores a notification and returns it with a seq, as list() reads it back', async () => {
    const result = await store.store(incoming('n-1'));

    expect(result.duplicate).toBe(false);
    expect(result.stored).toEqual({
      clusterId: 'cluster-a',
      id: 'n-1',
      notification: incoming('n-1').notification,
      severity: OpniSeverity.Warning,
      goldenSignal: GoldenSignal.Custom,
      receivedAt: new Date(T0),
      seq: 1n,
    });
    expect((await store.list({})).notifications).toEqual([result.stored]);
  });

  it('deduplicates by (cluster, id): the second store writes nothing and returns the first', async () => {
    const first = await store.store(incoming('n-1'));
    const again = await store.store(
      incoming('n-1', { notification: { title: 'changed', body: '', properties: {} }, receivedAt: new Date(T0 + 5) }),
    );

    expect(again).toEqual({ stored: first.stored, duplicate: true });
    expect(rowCount()).toBe(1);
  });

  it('keeps the same id from two clusters apart', async () => {
    const a = await store.store(incoming('n-1', { clusterId: 'cluster-a' }));
    const b = await store.store(incoming('n-1', { clusterId: 'cluster-b' }));

    expect(b.duplicate).toBe(false);
    expect(b.stored.seq).toBeGreaterThan(a.stored.seq);
    expect(rowCount()).toBe(2);
  });

  it('deduplicates within one group commit too', async () => {
    const results = await Promise.all([store.store(incoming('n-1')), store.store(incoming('n-1'))]);

    expect(results.map((r) => r.duplicate)).toEqual([false, true]);
    expect(results[1].stored).toEqual(results[0].stored);
    expect(rowCount()).toBe(1);
  });

  it('commits the store() calls of one event-loop turn in one transaction, in call order', async () => {
    const commitsBefore = store.commits;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.store(incoming(`n-${i}`))));

    expect(store.commits - commitsBefore).toBe(1);
    expect(results.map((r) => r.stored.seq)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
  });

  it('never stamps a notification earlier than the one stored before it (a clock stepping back)', async () => {
    await store.store(incoming('n-1', { receivedAt: new Date(T0 + 1_000) }));
    const second = await store.store(incoming('n-2', { receivedAt: new Date(T0) }));

    expect(second.stored.receivedAt).toEqual(new Date(T0 + 1_000));
  });

  it('refuses to store once closed, with UnavailableError', async () => {
    await store.close();
    await expect(store.store(incoming('n-1'))).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.list({})).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe.each(['main', 'worker'] as const)('SqliteNotificationStore: durability (commits on %s)', (commitOn) => {
  beforeEach(async () => {
    await store.close();
    store = new SqliteNotificationStore(path, { commitOn });
  });

  it('finds what it stored after reopening the file', async () => {
    const stored = (await store.store(incoming('n-1'))).stored;
    await store.close();

    store = new SqliteNotificationStore(path, { commitOn });
    expect((await store.list({})).notifications).toEqual([stored]);
    const next = await store.store(incoming('n-2'));
    expect(next.stored.seq).toBe(2n);
  });

  it('commits what is pending when closed', async () => {
    const pending = store.store(incoming('n-1'));
    await store.close();
    await expect(pending).resolves.toMatchObject({ duplicate: false });

    store = new SqliteNotificationStore(path, { commitOn });
    expect(await ids({})).toEqual(['n-1']);
  });

  it('keeps every acknowledged notification when the process is killed with SIGKILL', async () => {
    if (commitOn === 'main') return; // the fixture commits on a writer thread, as the gateway does
    await store.close();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/gateway/src/notifications/store/fixtures/store-until-killed.ts', path],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const acknowledged: string[] = [];
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      acknowledged.push(...lines);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor(() => acknowledged.length >= 2_000 || child.exitCode !== null, {
        timeoutMs: 30_000,
        description: '2000 acknowledged stores',
      });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(stderr).toBe('');
    expect(acknowledged.length).toBeGreaterThanOrEqual(2_000);

    store = new SqliteNotificationStore(path, { commitOn });
    const found = new Set<string>();
    for (let after = 0n; ;) {
      const page = await store.readAfter(after, 1_000);
      if (page.length === 0) break;
      for (const n of page) found.add(n.id);
      after = page.at(-1)!.seq;
    }
    expect(acknowledged.filter((id) => !found.has(id))).toEqual([]);
  });
});

describe('SqliteNotificationStore: schema version', () => {
  it('records its schema version in PRAGMA user_version', async () => {
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a file with another schema version, naming the file and both versions', async () => {
    await store.close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();

    expect(() => new SqliteNotificationStore(path)).toThrow(
      `${path} has notification schema version 99, this gateway reads version ${SCHEMA_VERSION}`,
    );
    store = new SqliteNotificationStore(join(dir, 'other.db')); // for afterEach
  });

  it('refuses a file whose notifications table has no schema version', async () => {
    const other = join(dir, 'unversioned.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notifications (x)');
    db.close();

    expect(() => new SqliteNotificationStore(other)).toThrow('has notification schema version 0');
  });
});

describe('SqliteNotificationStore: list', () => {
  beforeEach(async () => {
    // n-0 … n-11: cluster a/b/c in turn, severity 0-3 in turn, golden signal 0-4 in turn, a second apart.
    await storeAll(
      Array.from({ length: 12 }, (_, i) =>
        incoming(`n-${i}`, {
          clusterId: ['cluster-a', 'cluster-b', 'cluster-c'][i % 3],
          severity: (i % 4) as alerting.OpniSeverity,
          goldenSignal: (i % 5) as alerting.GoldenSignal,
          receivedAt: new Date(T0 + i * 1_000),
        }),
      ),
    );
  });

  const expected = (keep: (i: number) => boolean) =>
    Array.from({ length: 12 }, (_, i) => 11 - i)
      .filter(keep)
      .map((i) => `n-${i}`);

  it('lists newest first, everything when unfiltered', async () => {
    expect(await ids({})).toEqual(expected(() => true));
  });

  it('filters by clusters', async () => {
    expect(await ids({ clusterIds: ['cluster-b'] })).toEqual(expected((i) => i % 3 === 1));
    expect(await ids({ clusterIds: ['cluster-a', 'cluster-c'] })).toEqual(expected((i) => i % 3 !== 1));
    expect(await ids({ clusterIds: ['no-such-cluster'] })).toEqual([]);
  });

  it('filters by severities', async () => {
    expect(await ids({ severities: [OpniSeverity.Critical] })).toEqual(expected((i) => i % 4 === 3));
    expect(await ids({ severities: [OpniSeverity.Info, OpniSeverity.Error] })).toEqual(expected((i) => i % 2 === 0));
  });

  it('filters by golden signals', async () => {
    expect(await ids({ goldenSignals: [GoldenSignal.Latency] })).toEqual(expected((i) => i % 5 === 4));
    expect(await ids({ goldenSignals: [GoldenSignal.Errors, GoldenSignal.Traffic] })).toEqual(
      expected((i) => i % 5 === 1 || i % 5 === 3),
    );
  });

  it('filters by time: since inclusive, until exclusive', async () => {
    const at = (i: number) => new Date(T0 + i * 1_000);
    expect(await ids({ since: at(9) })).toEqual(['n-11', 'n-10', 'n-9']);
    expect(await ids({ until: at(2) })).toEqual(['n-1', 'n-0']);
    expect(await ids({ since: at(3), until: at(5) })).toEqual(['n-4', 'n-3']);
    expect(await ids({ since: new Date(T0 + 3_500), until: new Date(T0 + 5_500) })).toEqual(['n-5', 'n-4']);
    expect(await ids({ since: at(12) })).toEqual([]);
    expect(await ids({ until: at(0) })).toEqual([]);
  });

  it('combines filters', async () => {
    expect(
      await ids({
        clusterIds: ['cluster-a', 'cluster-b'],
        severities: [OpniSeverity.Info, OpniSeverity.Warning],
        since: new Date(T0 + 1_000),
        until: new Date(T0 + 10_000),
      }),
    ).toEqual(expected((i) => i % 3 !== 2 && i % 4 <= 1 && i >= 1 && i < 10));
  });

  it('pages with a cursor: no gaps, no repeats, nextCursor only while more match', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    const pageSizes: number[] = [];
    do {
      const page = await store.list({ limit: 5, cursor });
      pageSizes.push(page.notifications.length);
      seen.push(...page.notifications.map((n) => n.id));
      cursor = page.nextCursor;
    } while (cursor);

    expect(pageSizes).toEqual([5, 5, 2]);
    expect(seen).toEqual(expected(() => true));
  });

  it('pages a filtered listing the same way, and gives no cursor when the page ends exactly at the last match', async () => {
    const first = await store.list({ clusterIds: ['cluster-a'], limit: 2 });
    const second = await store.list({ clusterIds: ['cluster-a'], limit: 2, cursor: first.nextCursor });

    expect([...first.notifications, ...second.notifications].map((n) => n.id)).toEqual(expected((i) => i % 3 === 0));
    expect(second.nextCursor).toBeUndefined();
  });

  it('pages across stores that happen in between: new ones do not shift later pages', async () => {
    const first = await store.list({ limit: 6 });
    await store.store(incoming('n-new', { receivedAt: new Date(T0 + 60_000) }));
    const second = await store.list({ limit: 6, cursor: first.nextCursor });

    expect(second.notifications.map((n) => n.id)).toEqual(expected((i) => i < 6));
  });

  it('applies the default limit of 100 and allows up to 1000', async () => {
    await storeAll(
      Array.from({ length: 1_000 }, (_, i) => incoming(`bulk-${i}`, { receivedAt: new Date(T0 + 20_000) })),
    );

    const byDefault = await store.list({});
    expect(byDefault.notifications).toHaveLength(100);
    expect(byDefault.nextCursor).toBeDefined();
    const largest = await store.list({ limit: MAX_LIST_LIMIT });
    expect(largest.notifications).toHaveLength(1_000);
    expect(largest.nextCursor).toBeDefined();
  });

  it.each([0, -1, 1.5, MAX_LIST_LIMIT + 1, Number.NaN])(
    'refuses limit %p with InvalidArgumentError(limit)',
    async (limit) => {
      expect(await invalidField(store.list({ limit }))).toBe('limit');
    },
  );

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['not base64url', 'czE=!'],
    ['a number that is not a seq', Buffer.from('s0').toString('base64url')],
    ['trailing text', Buffer.from('s12x').toString('base64url')],
    ['a non-canonical encoding', `${encodeCursor(5n)}A`],
  ])('refuses a malformed cursor (%s) with InvalidArgumentError(cursor)', async (_label, cursor) => {
    expect(await invalidField(store.list({ cursor }))).toBe('cursor');
  });

  it('refuses until not later than since, and invalid dates, naming the field', async () => {
    expect(await invalidField(store.list({ since: new Date(T0), until: new Date(T0) }))).toBe('until');
    expect(await invalidField(store.list({ since: new Date(Number.NaN) }))).toBe('since');
    expect(await invalidField(store.list({ until: new Date(Number.NaN) }))).toBe('until');
  });
});

describe('SqliteNotificationStore: readAfter', () => {
  it('reads oldest first after a seq, at most `limit`', async () => {
    const seqs = await storeAll(['n-1', 'n-2', 'n-3', 'n-4'].map((id) => incoming(id)));

    expect((await store.readAfter(0n, 10)).map((n) => n.id)).toEqual(['n-1', 'n-2', 'n-3', 'n-4']);
    expect((await store.readAfter(seqs[1], 1)).map((n) => n.id)).toEqual(['n-3']);
    expect(await store.readAfter(seqs[3], 10)).toEqual([]);
  });

  it('refuses a limit below 1', async () => {
    expect(await invalidField(store.readAfter(0n, 0))).toBe('limit');
  });
});

describe('SqliteNotificationStore: prune', () => {
  const now = new Date(T0 + 100_000);

  beforeEach(async () => {
    // n-0 … n-9 received 10 s apart, 100 s to 10 s before `now`.
    await storeAll(Array.from({ length: 10 }, (_, i) => incoming(`n-${i}`, { receivedAt: new Date(T0 + i * 10_000) })));
  });

  it('deletes what is older than maxAgeMs', async () => {
    expect(await store.prune({ maxAgeMs: 55_000, maxCount: 0 }, now)).toBe(5);
    expect(await ids({})).toEqual(['n-9', 'n-8', 'n-7', 'n-6', 'n-5']);
  });

  it('deletes the oldest beyond maxCount', async () => {
    expect(await store.prune({ maxAgeMs: 0, maxCount: 3 }, now)).toBe(7);
    expect(await ids({})).toEqual(['n-9', 'n-8', 'n-7']);
  });

  it('applies both, counting each row once', async () => {
    expect(await store.prune({ maxAgeMs: 75_000, maxCount: 2 }, now)).toBe(8);
    expect(await ids({})).toEqual(['n-9', 'n-8']);
  });

  it('deletes nothing when within the policy, or when the policy is 0 and 0', async () => {
    expect(await store.prune({ maxAgeMs: 1_000_000, maxCount: 10 }, now)).toBe(0);
    expect(await store.prune({ maxAgeMs: 0, maxCount: 0 }, now)).toBe(0);
    expect(rowCount()).toBe(10);
  });

  it('counts correctly when seqs have gaps (deleted in the middle)', async () => {
    const db = new Database(path);
    db.prepare("DELETE FROM notifications WHERE id IN ('n-3', 'n-4', 'n-5')").run();
    db.close();

    expect(await store.prune({ maxAgeMs: 0, maxCount: 5 }, now)).toBe(2);
    expect(await ids({})).toEqual(['n-9', 'n-8', 'n-7', 'n-6', 'n-2']);
  });

  it('prunes large backlogs in several chunks', async () => {
    await storeAll(Array.from({ length: 12_000 }, (_, i) => incoming(`bulk-${i}`, { receivedAt: new Date(T0) })));
    expect(await store.prune({ maxAgeMs: 0, maxCount: 1 }, now)).toBe(12_009);
    expect(rowCount()).toBe(1);
  });

  it('never reuses a seq after pruning', async () => {
    await store.prune({ maxAgeMs: 1, maxCount: 0 }, now);
    expect(rowCount()).toBe(0);

    expect((await store.store(incoming('after'))).stored.seq).toBe(11n);
    expect((await store.readAfter(10n, 10)).map((n) => n.id)).toEqual(['after']);
  });
});
