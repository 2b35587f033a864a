import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteReceiverProgressStore } from './sqlite-receiver-progress-store.js';

// What every adapter does (progress, failed deliveries, reopening) runs in the contract suite:
// apps/gateway/src/storage/sqlite/sqlite-receiver-progress-store.contract.spec.ts. Here, what only SQLite has.
describe('SqliteReceiverProgressStore', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'receivers-db-'));
    path = join(dir, 'receivers.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a file written with another schema version instead of misreading it', async () => {
    await new SqliteReceiverProgressStore(path).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();

    expect(() => new SqliteReceiverProgressStore(path)).toThrow('receivers schema version 99');
  });
});
