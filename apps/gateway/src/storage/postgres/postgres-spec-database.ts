import postgres from 'postgres';
import { startPostgres, type PostgresCluster } from '@app/testing';
import type { ReplicatedStoreUnderTest } from '../replicated-store-under-test.js';
import { GATEWAY_MIGRATIONS } from './gateway-migrations.js';
import { migrate } from './schema-migrations.js';

/** A migrated database of a throwaway cluster, for one spec file (call at its top level). */
export interface SpecDatabase {
  /**
   * Empties `tables` (quicker than a database per test) and opens a store on
   * a pool of its own; reopen() and each replica get new pools, and dispose()
   * ends them all.
   */
  open<Store extends { close(): Promise<void> }>(
    tables: readonly string[],
    openOn: (sql: postgres.Sql) => Store,
  ): Promise<ReplicatedStoreUnderTest<Store>>;
}

export function migratedDatabase(): SpecDatabase {
  let cluster: PostgresCluster;
  let url: string;
  const pool = () => postgres(url, { max: 4, onnotice: () => undefined, connect_timeout: 10 });
  beforeAll(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase();
    const sql = pool();
    await migrate(sql, GATEWAY_MIGRATIONS);
    await sql.end();
  });
  afterAll(() => cluster?.stop());
  return {
    async open(tables, openOn) {
      const pools = [pool()];
      await pools[0].unsafe(`TRUNCATE ${tables.join(', ')}`);
      const onNewPool = () => {
        pools.push(pool());
        return openOn(pools[pools.length - 1]);
      };
      const subject = {
        store: openOn(pools[0]),
        async reopen() {
          await subject.store.close();
          subject.store = onNewPool();
        },
        replica: async () => onNewPool(),
        async dispose() {
          await subject.store.close();
          await Promise.all(pools.map((sql) => sql.end({ timeout: 5 })));
        },
      };
      return subject;
    },
  };
}
