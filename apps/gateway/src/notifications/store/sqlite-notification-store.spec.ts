import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { UnavailableError } from '@app/runtime';
import { repoRoot, waitFor } from '@app/testing';
import { freshStore, incoming, T0 } from './fixtures/notification-store-fixture.js';
import { SCHEMA_VERSION } from './sqlite-notification-schema.js';
import { SqliteNotificationStore } from './sqlite-notification-store.js';

const { OpniSeverity, GoldenSignal } = alerting;
const fixture = freshStore();

describe.each(['main', 'worker'] as const)('SqliteNotificationStore: store (commits on %s)', (commitOn) => {
  beforeEach(async () => {
    await fixture.store.close();
    fixture.store = new SqliteNotificationStore(fixture.path, { commitOn });
  });

  it('stores a notification and returns it with a seq, as list() reads it back', async () => {
    const result = await fixture.store.store(incoming('n-1'));

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
    expect((await fixture.store.list({})).notifications).toEqual([result.stored]);
  });

  it('deduplicates by (cluster, id): the second store writes nothing and returns the first', async () => {
    const first = await fixture.store.store(incoming('n-1'));
    const again = await fixture.store.store(
      incoming('n-1', { notification: { title: 'changed', body: '', properties: {} }, receivedAt: new Date(T0 + 5) }),
    );

    expect(again).toEqual({ stored: first.stored, duplicate: true });
    expect(fixture.rowCount()).toBe(1);
  });

  it('keeps the same id from two clusters apart', async () => {
    const a = await fixture.store.store(incoming('n-1', { clusterId: 'cluster-a' }));
    const b = await fixture.store.store(incoming('n-1', { clusterId: 'cluster-b' }));

    expect(b.duplicate).toBe(false);
    expect(b.stored.seq).toBeGreaterThan(a.stored.seq);
    expect(fixture.rowCount()).toBe(2);
  });

  it('deduplicates within one group commit too', async () => {
    const results = await Promise.all([fixture.store.store(incoming('n-1')), fixture.store.store(incoming('n-1'))]);

    expect(results.map((r) => r.duplicate)).toEqual([false, true]);
    expect(results[1].stored).toEqual(results[0].stored);
    expect(fixture.rowCount()).toBe(1);
  });

  it('commits the store() calls of one event-loop turn in one transaction, in call order', async () => {
    const commitsBefore = fixture.store.commits;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => fixture.store.store(incoming(`n-${i}`))));

    expect(fixture.store.commits - commitsBefore).toBe(1);
    expect(results.map((r) => r.stored.seq)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
  });

  it('never stamps a notification earlier than the one stored before it (a clock stepping back)', async () => {
    await fixture.store.store(incoming('n-1', { receivedAt: new Date(T0 + 1_000) }));
    const second = await fixture.store.store(incoming('n-2', { receivedAt: new Date(T0) }));

    expect(second.stored.receivedAt).toEqual(new Date(T0 + 1_000));
  });

  it('refuses to store once closed, with UnavailableError', async () => {
    await fixture.store.close();
    await expect(fixture.store.store(incoming('n-1'))).rejects.toBeInstanceOf(UnavailableError);
    await expect(fixture.store.list({})).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe.each(['main', 'worker'] as const)('SqliteNotificationStore: durability (commits on %s)', (commitOn) => {
  beforeEach(async () => {
    await fixture.store.close();
    fixture.store = new SqliteNotificationStore(fixture.path, { commitOn });
  });

  it('finds what it stored after reopening the file', async () => {
    const stored = (await fixture.store.store(incoming('n-1'))).stored;
    await fixture.store.close();

    fixture.store = new SqliteNotificationStore(fixture.path, { commitOn });
    expect((await fixture.store.list({})).notifications).toEqual([stored]);
    const next = await fixture.store.store(incoming('n-2'));
    expect(next.stored.seq).toBe(2n);
  });

  it('commits what is pending when closed', async () => {
    const pending = fixture.store.store(incoming('n-1'));
    await fixture.store.close();
    await expect(pending).resolves.toMatchObject({ duplicate: false });

    fixture.store = new SqliteNotificationStore(fixture.path, { commitOn });
    expect(await fixture.ids({})).toEqual(['n-1']);
  });

  it('keeps every acknowledged notification when the process is killed with SIGKILL', async () => {
    if (commitOn === 'main') return; // the fixture commits on a writer thread, as the gateway does
    await fixture.store.close();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/gateway/src/notifications/store/fixtures/store-until-killed.ts', fixture.path],
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

    fixture.store = new SqliteNotificationStore(fixture.path, { commitOn });
    const found = new Set<string>();
    for (let after = 0n; ;) {
      const page = await fixture.store.readAfter(after, 1_000);
      if (page.length === 0) break;
      for (const n of page) found.add(n.id);
      after = page.at(-1)!.seq;
    }
    expect(acknowledged.filter((id) => !found.has(id))).toEqual([]);
  });
});

describe('SqliteNotificationStore: schema version', () => {
  it('records its schema version in PRAGMA user_version', async () => {
    await fixture.store.close();
    const db = new Database(fixture.path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a file with another schema version, naming the file and both versions', async () => {
    await fixture.store.close();
    const db = new Database(fixture.path);
    db.pragma('user_version = 99');
    db.close();

    expect(() => new SqliteNotificationStore(fixture.path)).toThrow(
      `${fixture.path} has notification schema version 99, this gateway reads version ${SCHEMA_VERSION}`,
    );
    fixture.store = new SqliteNotificationStore(join(fixture.dir, 'other.db')); // for afterEach
  });

  it('refuses a file whose notifications table has no schema version', async () => {
    const other = join(fixture.dir, 'unversioned.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notifications (x)');
    db.close();

    expect(() => new SqliteNotificationStore(other)).toThrow('has notification schema version 0');
  });
});
