import { describeTaskStoreContract } from '../task-store-contract/task-store.contract.js';
import { reopenablePostgresStore, useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresTaskStore } from './postgres-task-store.js';

const database = useMigratedDatabase();

describeTaskStoreContract('PostgresTaskStore', async (logger) => {
  // One database for the file, emptied per test: quicker than a database per test.
  const subject = reopenablePostgresStore(database, (sql) => new PostgresTaskStore(sql, { logger }));
  await subject.sql`TRUNCATE capability_tasks`;
  return Object.assign(subject, {
    async overwriteBody(id: string, json: string) {
      // As text, cast by the server: a string passed as jsonb would be stored as one JSON string.
      await subject.sql`UPDATE capability_tasks SET body = ${json}::text::jsonb WHERE id = ${id}`;
    },
  });
});
