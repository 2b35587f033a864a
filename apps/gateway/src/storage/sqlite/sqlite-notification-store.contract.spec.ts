import Database from 'better-sqlite3';
import { SqliteNotificationStore } from './sqlite-notification-store.js';
import { describeNotificationStoreContract } from '../notification-store-contract/notification-store.contract.js';
import { reopenableSqliteStore } from './fixtures/reopenable-sqlite-store.js';

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
    const subject = reopenableSqliteStore(
      'notifications.db',
      (path) => new SqliteNotificationStore(path, { commitOn }),
    );
    return Object.assign(subject, {
      async deleteIds(ids: string[]) {
        onTheSide(subject.path, (db) =>
          db.prepare('DELETE FROM notifications WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids)),
        );
      },
      async rowCount() {
        return onTheSide(
          subject.path,
          (db) => db.prepare('SELECT count(*) FROM notifications').pluck().get() as number,
        );
      },
    });
  });
});
