import { join } from 'node:path';
import { waitFor } from '../wait-for.js';
import {
  clusterOf,
  initCluster,
  POSTGRES_FIXTURE_USER,
  withConnection,
  type PostgresCluster,
} from './postgres-cluster.js';
import { makeOwnedTempDir, runAsOwner, startPostmaster } from './postmaster.js';

/** How long promote() waits for the standby to leave recovery. */
const PROMOTE_TIMEOUT_S = 30;

export interface PostgresWithStandby {
  readonly primary: PostgresCluster;
  readonly standby: PostgresCluster;
  /**
   * Both servers, primary first, with target_session_attrs=primary: the URL
   * a client that follows a failover is given. Not read-write: postgres.js
   * 4.2 decides read-write from default_transaction_read_only alone when the
   * server reports it, which is off on a hot standby, so it would connect to
   * the standby before its promotion and fail every write there.
   */
  readonly url: string;
  /** SIGKILLs the primary's postmaster (no shutdown, no final WAL sent): its machine died. */
  killPrimary(): Promise<void>;
  /** Promotes the standby and resolves once it accepts writes. */
  promote(): Promise<void>;
  /** Resolves once the standby has replayed everything the primary has written so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops both servers and removes the directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A primary with a streaming standby (pg_basebackup -R: standby.signal and
 * primary_conninfo), each on its own free port, for failover tests. The
 * standby is a hot standby: it answers reads, refuses writes until promoted.
 * `synchronous` (the default) makes it a synchronous standby: the primary
 * acknowledges a commit once the standby has it, so a promotion after the
 * primary dies loses no acknowledged write; without it, replication is
 * asynchronous and the last commits before a crash may be lost.
 * Stop it in afterAll, as with startPostgres().
 */
export async function startPostgresWithStandby({ synchronous = true } = {}): Promise<PostgresWithStandby> {
  const temp = makeOwnedTempDir('postgres-fixture-');
  const primaryDir = join(temp.dir, 'primary');
  const standbyDir = join(temp.dir, 'standby');
  const started: PostgresCluster[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((cluster) => cluster.stop()));
    temp.remove();
  };
  try {
    await initCluster(primaryDir, temp.dir);
    const primary = clusterOf(await startPostmaster(primaryDir, temp.dir), primaryDir, () => undefined);
    started.push(primary);
    await runAsOwner(
      'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(primary.port), '-U', POSTGRES_FIXTURE_USER, '-D', standbyDir].concat([
        '-R',
        '-X',
        'stream',
        '--checkpoint=fast',
        '--no-sync',
      ]),
      temp.dir,
    );
    const standby = clusterOf(await startPostmaster(standbyDir, temp.dir), standbyDir, () => undefined);
    started.push(standby);
    if (synchronous)
      await withConnection(primary.url, async (sql) => {
        await sql`ALTER SYSTEM SET synchronous_standby_names = '*'`;
        await sql`SELECT pg_reload_conf()`;
        await waitFor(async () => (await sql`SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'`).length > 0, {
          timeoutMs: 10_000,
          description: 'the standby replicating synchronously',
        });
      });
    let stopping: Promise<void> | undefined;
    return {
      primary,
      standby,
      url: `postgres://${POSTGRES_FIXTURE_USER}@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/postgres?target_session_attrs=primary`,
      killPrimary: () => primary.postmaster.kill(),
      async promote() {
        await withConnection(standby.url, async (sql) => {
          const [{ promoted }] = await sql`SELECT pg_promote(true, ${PROMOTE_TIMEOUT_S}) AS promoted`;
          if (!promoted) throw new Error(`the standby was not promoted within ${PROMOTE_TIMEOUT_S} s`);
        });
      },
      async caughtUp(timeoutMs = 10_000) {
        const [{ lsn }] = await withConnection(primary.url, (sql) => sql`SELECT pg_current_wal_lsn()::text AS lsn`);
        await withConnection(standby.url, (sql) =>
          waitFor(
            async () => {
              const [{ replayed }] = await sql`SELECT pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn AS replayed`;
              return replayed as boolean;
            },
            { timeoutMs, description: `the standby replaying up to ${lsn}` },
          ),
        );
      },
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
