import postgres from 'postgres';
import { startPostgres, type PostgresCluster } from '@app/testing';
import { GATEWAY_MIGRATIONS } from './gateway-migrations.js';
import { migrate } from './schema-migrations.js';

/** A migrated database of a throwaway cluster, for one spec file (call at its top level). */
export interface SpecDatabase {
  /** A pool of its own (a replica's, with its own connections); the caller ends it. */
  pool(): postgres.Sql;
  /** Empties the tables, between tests: quicker than a database per test. */
  truncate(...tables: string[]): Promise<void>;
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
    pool,
    async truncate(...tables) {
      const sql = pool();
      await sql.unsafe(`TRUNCATE ${tables.join(', ')}`);
      await sql.end();
    },
  };
}
