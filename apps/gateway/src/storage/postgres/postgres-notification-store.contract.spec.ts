import postgres from 'postgres';
import { startPostgres, type PostgresCluster } from '@app/testing';
import { describeNotificationStoreContract } from '../notification-store-contract/notification-store.contract.js';
import { GATEWAY_MIGRATIONS } from './gateway-migrations.js';
import { PostgresNotificationStore } from './postgres-notification-store.js';
import { migrate } from './schema-migrations.js';

let cluster: PostgresCluster;
let url: string;

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase();
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  await migrate(sql, GATEWAY_MIGRATIONS);
  await sql.end();
});
afterAll(() => cluster?.stop());

describeNotificationStoreContract('PostgresNotificationStore', async () => {
  // One database for the file, emptied per test: quicker than a database per test.
  const connect = () => postgres(url, { max: 4, onnotice: () => undefined });
  let sql = connect();
  await sql`TRUNCATE notifications`;
  await sql`UPDATE notification_feed SET last_seq = 0, last_received_at = 'epoch'`;
  const subject = {
    store: new PostgresNotificationStore(sql),
    async reopen() {
      // A restarted gateway: a new store on new connections.
      await subject.store.close();
      await sql.end({ timeout: 5 });
      sql = connect();
      subject.store = new PostgresNotificationStore(sql);
    },
    async deleteIds(ids: string[]) {
      await sql`DELETE FROM notifications WHERE id = ANY(${ids}::text[])`;
    },
    async rowCount() {
      const [{ count }] = await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM notifications`;
      return count;
    },
    async dispose() {
      await subject.store.close();
      await sql.end({ timeout: 5 });
    },
  };
  return subject;
});
