import { describeReceiverProgressStoreContract } from '../receiver-progress-store-contract/receiver-progress-store.contract.js';
import { useMigratedDatabase } from './fixtures/migrated-database.js';
import { PostgresReceiverProgressStore } from './postgres-receiver-progress-store.js';

const connect = useMigratedDatabase();

describeReceiverProgressStoreContract('PostgresReceiverProgressStore', async () => {
  // One database for the file, emptied per test: quicker than a database per test.
  let sql = connect();
  await sql`TRUNCATE receiver_progress, receiver_dead_letter`;
  const subject = {
    store: new PostgresReceiverProgressStore(sql),
    async reopen() {
      // A restarted gateway: a new store on new connections.
      await subject.store.close();
      await sql.end({ timeout: 5 });
      sql = connect();
      subject.store = new PostgresReceiverProgressStore(sql);
    },
    async dispose() {
      await subject.store.close();
      await sql.end({ timeout: 5 });
    },
  };
  return subject;
});
