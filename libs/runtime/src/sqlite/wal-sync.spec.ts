import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WalSync } from './wal-sync.js';

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
  db = new Database(join(dir, 'test.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (x INTEGER)');
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An fdatasync the test finishes by hand, recording what it was asked. */
function controlledFdatasync() {
  const calls: { fd: number; finish: (error?: NodeJS.ErrnoException) => void }[] = [];
  const fdatasync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) =>
    calls.push({ fd, finish: (error) => done(error ?? null) });
  return { calls, fdatasync };
}

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('WalSync', () => {
  it('syncs the WAL file itself, with the real fdatasync', async () => {
    db.prepare('INSERT INTO t VALUES (1)').run();
    const walSync = new WalSync(db);
    await walSync.sync();
    expect(walSync.syncs).toBe(1);
    expect(walSync.isCurrent()).toBe(true);
    expect(statSync(join(dir, 'test.db-wal')).size).toBeGreaterThan(0);
    await walSync.close();
  });

  it('a call made while an fdatasync runs waits for the next one, which it shares with every such call', async () => {
    db.prepare('INSERT INTO t VALUES (1)').run();
    const { calls, fdatasync } = controlledFdatasync();
    const walSync = new WalSync(db, { fdatasync });

    const first = walSync.sync();
    expect(calls).toHaveLength(1);
    // Written after the first fdatasync started: it may not cover these.
    const second = walSync.sync();
    const third = walSync.sync();
    expect(calls).toHaveLength(1);

    calls[0].finish();
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('pending');
    expect(calls).toHaveLength(2); // one more, for both waiting calls

    calls[1].finish();
    expect(await settled(second)).toBe('resolved');
    expect(await settled(third)).toBe('resolved');
    expect(walSync.syncs).toBe(2);
  });

  it('a failed fdatasync fails the calls it covered, with the file named, and the next call tries again', async () => {
    db.prepare('INSERT INTO t VALUES (1)').run();
    const { calls, fdatasync } = controlledFdatasync();
    const walSync = new WalSync(db, { fdatasync });
    const failing = walSync.sync();
    calls[0].finish(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(failing).rejects.toThrow(/^fdatasync .*test\.db-wal: EIO: i\/o error$/);
    const retried = walSync.sync();
    calls[1].finish();
    await expect(retried).resolves.toBeUndefined();
  });

  it('refuses a connection that is not in WAL mode', () => {
    const rollback = new Database(join(dir, 'rollback.db'));
    try {
      rollback.exec('CREATE TABLE t (x INTEGER)');
      expect(() => new WalSync(rollback)).toThrow(/needs journal_mode=WAL, .*rollback\.db is in delete/);
    } finally {
      rollback.close();
    }
  });

  it('close() waits for the syncs asked for; later calls are refused', async () => {
    db.prepare('INSERT INTO t VALUES (1)').run();
    const { calls, fdatasync } = controlledFdatasync();
    const walSync = new WalSync(db, { fdatasync });
    const pending = walSync.sync();
    const closing = walSync.close();
    calls[0].finish();
    await closing;
    await expect(pending).resolves.toBeUndefined();
    await expect(walSync.sync()).rejects.toThrow(/closed/);
  });
});
