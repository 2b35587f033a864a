import { describeNotificationStoreContract } from '../notification-store-contract/notification-store.contract.js';
import { reopenablePostgresStore, useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresNotificationStore } from './postgres-notification-store.js';

const database = useMigratedDatabase();

describeNotificationStoreContract('PostgresNotificationStore', async () => {
  // One database for the file, emptied per test: quicker than a database per test.
  const subject = reopenablePostgresStore(database, (sql) => new PostgresNotificationStore(sql));
  await subject.sql`TRUNCATE notifications`;
  await subject.sql`UPDATE notification_feed SET last_seq = 0, last_received_at = 'epoch'`;
  return Object.assign(subject, {
    async deleteIds(ids: string[]) {
      await subject.sql`DELETE FROM notifications WHERE id = ANY(${ids}::text[])`;
    },
    async rowCount() {
      const [{ count }] = await subject.sql<{ count: number }[]>`SELECT count(*)::int AS count FROM notifications`;
      return count;
    },
  });
});
