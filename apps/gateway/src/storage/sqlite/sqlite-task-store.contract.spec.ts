import Database from 'better-sqlite3';
import { SqliteTaskStore } from '@app/capability';
import { describeTaskStoreContract } from '../task-store-contract/task-store.contract.js';
import { reopenableSqliteStore } from './fixtures/reopenable-sqlite-store.js';

describeTaskStoreContract('SqliteTaskStore', async (logger) => {
  const subject = reopenableSqliteStore('tasks.db', (path) => new SqliteTaskStore(path, { logger }));
  return Object.assign(subject, {
    async overwriteBody(id: string, json: string) {
      const db = new Database(subject.path);
      db.prepare('UPDATE tasks SET body = ? WHERE id = ?').run(json, id);
      db.close();
    },
  });
});
