import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FailedDelivery } from './receiver-progress-store.js';
import { SqliteReceiverProgressStore } from './sqlite-receiver-progress-store.js';

describe('SqliteReceiverProgressStore', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'receivers-db-'));
    path = join(dir, 'receivers.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has no progress for a receiver it has never seen', async () => {
    const store = new SqliteReceiverProgressStore(path);
    expect(await store.load('ops')).toBeUndefined();
    await store.close();
  });

  it('keeps progress across reopening, seqs beyond 2^53 included', async () => {
    const big = 2n ** 60n + 7n;
    const lastSuccessAt = new Date('2026-03-01T12:00:00.123Z');
    const first = new SqliteReceiverProgressStore(path);
    await first.save('ops', { cursor: 5n, delivered: 1, undeliverable: 0 });
    await first.save('ops', { cursor: big, delivered: 3, undeliverable: 2, lastSuccessAt });
    await first.save('pager', { cursor: 9n, delivered: 0, undeliverable: 0 });
    await first.close();

    const second = new SqliteReceiverProgressStore(path);
    expect(await second.load('ops')).toEqual({ cursor: big, delivered: 3, undeliverable: 2, lastSuccessAt });
    expect(await second.load('pager')).toEqual({
      cursor: 9n,
      delivered: 0,
      undeliverable: 0,
      lastSuccessAt: undefined,
    });
    await second.close();
  });

  it('records a failed delivery together with the progress past it', async () => {
    const store = new SqliteReceiverProgressStore(path);
    const failure: FailedDelivery = {
      fromSeq: 3n,
      toSeq: 8n,
      notifications: [
        { clusterId: 'c1', id: 'a' },
        { clusterId: 'c1', id: 'b' },
      ],
      status: 400,
      error: 'HTTP 400 Bad Request',
      at: new Date('2026-03-01T12:00:00Z'),
    };

    await store.recordFailedDelivery('ops', failure, { cursor: 8n, delivered: 0, undeliverable: 2 });

    expect(await store.failedDeliveries('ops')).toEqual([failure]);
    expect(await store.failedDeliveries('pager')).toEqual([]);
    expect(await store.load('ops')).toMatchObject({ cursor: 8n, undeliverable: 2 });
    await store.close();
  });

  it('refuses a file written with another schema version instead of misreading it', async () => {
    await new SqliteReceiverProgressStore(path).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();

    expect(() => new SqliteReceiverProgressStore(path)).toThrow('receivers schema version 99');
  });
});
