import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot, waitFor } from '@app/testing';
import { freshStore, incoming } from './fixtures/notification-store-fixture.js';
import { SCHEMA_VERSION } from './sqlite-notification-schema.js';
import { SqliteNotificationStore } from './sqlite-notification-store.js';

const fixture = freshStore();

// What every store does is in the contract suite (apps/gateway/src/storage/notification-store-contract/), run
// against this adapter by apps/gateway/src/storage/sqlite/; here, what only SQLite does.
describe.each(['main', 'worker'] as const)('SqliteNotificationStore: store (commits on %s)', (commitOn) => {
  beforeEach(async () => {
    await fixture.store.close();
    fixture.store = new SqliteNotificationStore(fixture.path, { commitOn });
  });

  it('commits the store() calls of one event-loop turn in one transaction, in call order', async () => {
    const commitsBefore = fixture.store.commits;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => fixture.store.store(incoming(`n-${i}`))));

    expect(fixture.store.commits - commitsBefore).toBe(1);
    expect(results.map((r) => r.stored.seq)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
  });
});

describe.each(['main', 'worker'] as const)('SqliteNotificationStore: durability (commits on %s)', (commitOn) => {
  beforeEach(async () => {
    await fixture.store.close();
    fixture.store = new SqliteNotificationStore(fixture.path, { commitOn });
  });

  it('keeps every acknowledged notification when the process is killed with SIGKILL', async () => {
    if (commitOn === 'main') return; // the fixture commits on a writer thread, as the gateway does
    await fixture.store.close();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/gateway/src/storage/sqlite/fixtures/store-until-killed.ts', fixture.path],
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
