import postgres from 'postgres';
import { startPostgres, type PostgresCluster } from '@app/testing';
import { GATEWAY_MIGRATIONS } from './gateway-migrations.js';
import { migrate, type Migration } from './schema-migrations.js';

let cluster: PostgresCluster;
let url: string;
const pools: postgres.Sql[] = [];

/** A pool of its own: each runner is a replica with its own connections. */
function replica(): postgres.Sql {
  const sql = postgres(url, { max: 2, onnotice: () => undefined });
  pools.push(sql);
  return sql;
}

beforeAll(async () => (cluster = await startPostgres()));
afterAll(() => cluster?.stop());
beforeEach(async () => (url = await cluster.createDatabase()));
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end({ timeout: 5 })));
});

// Each migration leaves a row in `effects`: run twice, it would leave two (or fail on CREATE TABLE).
const SLOW_FIRST: Migration[] = [
  {
    version: 1,
    name: 'effects',
    up: 'CREATE TABLE effects (version int); INSERT INTO effects VALUES (1); SELECT pg_sleep(0.3)',
  },
  { version: 2, name: 'second', up: 'INSERT INTO effects VALUES (2)' },
];

async function effects(sql: postgres.Sql): Promise<number[]> {
  return (await sql<{ version: number }[]>`SELECT version FROM effects ORDER BY version`).map((row) => row.version);
}

describe('migrate', () => {
  it('two runners racing on one database apply each migration once, and both return with the schema complete', async () => {
    const [a, b] = [replica(), replica()];
    const results = await Promise.all([migrate(a, SLOW_FIRST), migrate(b, SLOW_FIRST)]);

    expect(results.map((versions) => versions.length).sort()).toEqual([0, 2]);
    expect(results.flat().sort()).toEqual([1, 2]);
    expect(await effects(a)).toEqual([1, 2]);
    const recorded = await a`SELECT version, name FROM schema_migrations ORDER BY version`;
    expect(recorded).toEqual([
      { version: 1, name: 'effects' },
      { version: 2, name: 'second' },
    ]);
  });

  it('applies only what was added since the last run', async () => {
    const sql = replica();
    expect(await migrate(sql, SLOW_FIRST.slice(0, 1))).toEqual([1]);
    expect(await migrate(sql, SLOW_FIRST)).toEqual([2]);
    expect(await migrate(sql, SLOW_FIRST)).toEqual([]);
    expect(await effects(sql)).toEqual([1, 2]);
  });

  it('applies nothing of a run in which one migration fails, and records nothing', async () => {
    const sql = replica();
    const failing = [...SLOW_FIRST, { version: 3, name: 'broken', up: 'INSERT INTO no_such_table VALUES (1)' }];

    await expect(migrate(sql, failing)).rejects.toThrow(/no_such_table/);
    // Even the schema_migrations table it created first is rolled back with the run.
    expect(await sql`SELECT to_regclass('effects') AS effects, to_regclass('schema_migrations') AS migrations`).toEqual(
      [{ effects: null, migrations: null }],
    );
  });

  it('refuses a database migrated by a newer gateway, naming the version it does not know', async () => {
    const sql = replica();
    await migrate(sql, SLOW_FIRST);

    await expect(migrate(sql, SLOW_FIRST.slice(0, 1))).rejects.toThrow(
      'the database has schema migration 2, which this gateway does not know (it knows 1 to 1)',
    );
  });

  it('refuses migrations not numbered upwards from 1 before touching the database', async () => {
    await expect(migrate(replica(), [SLOW_FIRST[1]])).rejects.toThrow('schema migration 1 is numbered 2 (second)');
    await expect(migrate(replica(), [SLOW_FIRST[0], SLOW_FIRST[0]])).rejects.toThrow(
      'schema migration 2 is numbered 1 (effects)',
    );
  });

  it('takes numbers with gaps (a block per store, e.g. 20+), in order', async () => {
    const sql = replica();
    const withGap = [SLOW_FIRST[0], { version: 20, name: 'twentieth', up: 'INSERT INTO effects VALUES (20)' }];
    expect(await migrate(sql, withGap)).toEqual([1, 20]);
    expect(await effects(sql)).toEqual([1, 20]);
  });

  it("applies the gateway's own migrations to an empty database", async () => {
    const sql = replica();
    expect(await migrate(sql, GATEWAY_MIGRATIONS)).toEqual(GATEWAY_MIGRATIONS.map((migration) => migration.version));
    expect(await sql`SELECT last_seq::int AS last FROM notification_feed`).toEqual([{ last: 0 }]);
  });
});
