import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteNotificationStore } from '../../notifications/store/sqlite-notification-store.js';
import { describeNotificationStoreContract } from '../notification-store-contract/notification-store.contract.js';

/** Runs a statement on a connection of its own, as another process would. */
function onTheSide<T>(path: string, run: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return run(db);
  } finally {
    db.close();
  }
}

describe.each(['main', 'worker'] as const)('SQLite, committing on %s', (commitOn) => {
  describeNotificationStoreContract('SqliteNotificationStore', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notification-store-contract-'));
    const path = join(dir, 'notifications.db');
    const subject = {
      store: new SqliteNotificationStore(path, { commitOn }),
      async reopen() {
        await subject.store.close();
        subject.store = new SqliteNotificationStore(path, { commitOn });
      },
      async deleteIds(ids: string[]) {
        onTheSide(path, (db) =>
          db.prepare('DELETE FROM notifications WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids)),
        );
      },
      async rowCount() {
        return onTheSide(path, (db) => db.prepare('SELECT count(*) FROM notifications').pluck().get() as number);
      },
      async dispose() {
        await subject.store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return subject;
  });
});
