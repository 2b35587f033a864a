import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import postgres from 'postgres';
import { waitFor } from '../wait-for.js';
import { withConnection, startPostgres, type PostgresCluster } from './postgres-cluster.js';
import { startPostgresWithStandby, type PostgresWithStandby } from './postgres-standby.js';

describe('startPostgres', () => {
  let cluster: PostgresCluster | undefined;
  afterAll(() => cluster?.stop());

  it('starts a cluster that answers queries as a superuser, then stops it and removes its directory', async () => {
    cluster = await startPostgres();
    const [{ version, user }] = await withConnection(
      cluster.url,
      (sql) => sql`SELECT current_setting('server_version_num')::int AS version, current_user AS user`,
    );
    expect(version).toBeGreaterThanOrEqual(150_000);
    expect(user).toBe('postgres');

    const other = await cluster.createDatabase();
    expect(other).not.toBe(cluster.url);
    await withConnection(other, (sql) => sql`CREATE TABLE t (x int)`);

    const dir = dirname(cluster.dataDir);
    await cluster.stop();
    expect(existsSync(dir)).toBe(false);
    await expect(withConnection(cluster.url, (sql) => sql`SELECT 1`)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('startPostgresWithStandby', () => {
  let pair: PostgresWithStandby;
  beforeAll(async () => (pair = await startPostgresWithStandby()));
  afterAll(() => pair?.stop());

  it('replicates a committed row to the standby, which refuses writes', async () => {
    await withConnection(pair.primary.url, async (sql) => {
      await sql`CREATE TABLE replicated (id int PRIMARY KEY, note text)`;
      await sql`INSERT INTO replicated VALUES (1, 'from the primary')`;
    });
    await pair.caughtUp();

    await withConnection(pair.standby.url, async (sql) => {
      expect(await sql`SELECT id, note FROM replicated`).toEqual([{ id: 1, note: 'from the primary' }]);
      await expect(sql`INSERT INTO replicated VALUES (2, 'on a standby')`).rejects.toThrow(/read-only transaction/);
    });
  });

  it('with target_session_attrs=primary, a client reaches the primary, and the standby once promoted', async () => {
    const sql = postgres(pair.url, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
    try {
      const [before] = await sql`SELECT inet_server_port() AS port`;
      expect(before.port).toBe(pair.primary.port);

      await pair.killPrimary();
      await pair.promote();

      // The pool's connection died with the primary (a query may still meet it); a new one skips the dead host.
      await waitFor(() => sql`INSERT INTO replicated VALUES (2, 'after the failover') ON CONFLICT DO NOTHING`, {
        timeoutMs: 10_000,
        description: 'a write through the multi-host URL after the failover',
      });
      const [after] = await sql`SELECT inet_server_port() AS port, pg_is_in_recovery() AS recovering`;
      expect(after).toEqual({ port: pair.standby.port, recovering: false });
      expect(await sql`SELECT id FROM replicated ORDER BY id`).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
