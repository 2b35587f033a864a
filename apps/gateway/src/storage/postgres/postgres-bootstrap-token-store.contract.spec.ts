import type postgres from 'postgres';
import { describeBootstrapTokenStoreContract } from '../bootstrap-token-store-contract/bootstrap-token-store.contract.js';
import { PostgresBootstrapTokenStore } from './postgres-bootstrap-token-store.js';
import { migratedDatabase } from './postgres-spec-database.js';

const database = migratedDatabase();

describeBootstrapTokenStoreContract('PostgresBootstrapTokenStore', async () => {
  await database.truncate('bootstrap_tokens');
  const pools: postgres.Sql[] = [database.pool()];
  const subject = {
    store: new PostgresBootstrapTokenStore(pools[0]),
    async reopen() {
      // A restarted gateway: a new store on new connections.
      await subject.store.close();
      const sql = database.pool();
      pools.push(sql);
      subject.store = new PostgresBootstrapTokenStore(sql);
    },
    async replica() {
      const sql = database.pool();
      pools.push(sql);
      return new PostgresBootstrapTokenStore(sql);
    },
    async dispose() {
      await subject.store.close();
      await Promise.all(pools.map((sql) => sql.end({ timeout: 5 })));
    },
  };
  return subject;
});
