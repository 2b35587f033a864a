import { join } from 'node:path';
import postgres from 'postgres';
import { makeOwnedTempDir, runAsOwner, startPostmaster, type Postmaster } from './postmaster.js';

/** The superuser of every fixture cluster; trust authentication on 127.0.0.1, no password. */
export const POSTGRES_FIXTURE_USER = 'postgres';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The running server (its pid, log, kill()). */
  readonly postmaster: Postmaster;
  /** A new empty database; returns its URL. Names are unique within the cluster. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

export function fixtureUrl(port: number, database = 'postgres'): string {
  return `postgres://${POSTGRES_FIXTURE_USER}@127.0.0.1:${port}/${database}`;
}

/** initdb's settings for a throwaway cluster: trust on 127.0.0.1 (and the socket), no fsync, C locale. */
export async function initCluster(dataDir: string, cwd: string): Promise<void> {
  await runAsOwner(
    'initdb',
    ['-D', dataDir, '-U', POSTGRES_FIXTURE_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    cwd,
  );
}

/**
 * A throwaway PostgreSQL cluster for one spec file: initdb in a temporary
 * directory, a server on a free 127.0.0.1 port (as `nobody` when run as root),
 * resolved once it accepts connections. Call stop() in afterAll, which Jest
 * runs when tests fail too; should a run end without it, the servers are
 * SIGKILLed and the directory removed when the process exits.
 *
 *     let cluster: PostgresCluster;
 *     beforeAll(async () => (cluster = await startPostgres()));
 *     afterAll(() => cluster?.stop());
 *
 * `settings` override the server's (e.g. `{ fsync: 'on' }` for a benchmark
 * that compares durable writes).
 */
export async function startPostgres({
  settings,
}: { settings?: Record<string, string> } = {}): Promise<PostgresCluster> {
  const temp = makeOwnedTempDir('postgres-fixture-');
  const dataDir = join(temp.dir, 'data');
  try {
    await initCluster(dataDir, temp.dir);
    const postmaster = await startPostmaster(dataDir, temp.dir, settings);
    return clusterOf(postmaster, dataDir, temp.remove);
  } catch (error) {
    temp.remove();
    throw error;
  }
}

/** A running server as a PostgresCluster; `stop` also runs `cleanUp`. */
export function clusterOf(postmaster: Postmaster, dataDir: string, cleanUp: () => void): PostgresCluster {
  let databases = 0;
  let stopping: Promise<void> | undefined;
  return {
    url: fixtureUrl(postmaster.port),
    port: postmaster.port,
    dataDir,
    postmaster,
    async createDatabase() {
      const name = `test_${++databases}`;
      await withConnection(fixtureUrl(postmaster.port), (sql) => sql.unsafe(`CREATE DATABASE ${name}`));
      return fixtureUrl(postmaster.port, name);
    },
    stop() {
      stopping ??= postmaster.stop().finally(cleanUp);
      return stopping;
    },
  };
}

/** Runs `use` on one connection to `url`, then closes it. */
export async function withConnection<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  try {
    return await use(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
