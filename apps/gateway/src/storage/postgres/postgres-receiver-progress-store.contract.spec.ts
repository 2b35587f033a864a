import { describeReceiverProgressStoreContract } from '../receiver-progress-store-contract/receiver-progress-store.contract.js';
import { reopenablePostgresStore, useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresReceiverProgressStore } from './postgres-receiver-progress-store.js';

const database = useMigratedDatabase();

describeReceiverProgressStoreContract('PostgresReceiverProgressStore', async () => {
  // One database for the file, emptied per test: quicker than a database per test.
  const subject = reopenablePostgresStore(database, (sql) => new PostgresReceiverProgressStore(sql));
  await subject.sql`TRUNCATE receiver_progress, receiver_dead_letter`;
  return subject;
});
