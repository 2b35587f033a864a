import type postgres from 'postgres';

/** One step of the gateway's PostgreSQL schema; applied once per database, in version order. */
export interface Migration {
  /**
   * Increasing from 1, gaps allowed (a store's migrations may take a block of
   * numbers of their own, e.g. 20+); never renumbered, never edited once
   * released (add another instead).
   */
  version: number;
  /** What it does, for schema_migrations and logs. */
  name: string;
  /** SQL run in the migration transaction (so no CREATE INDEX CONCURRENTLY). */
  up: string;
  /** Then, in the same transaction, what SQL alone cannot do (reading protobuf payloads, say). */
  backfill?: (tx: postgres.TransactionSql) => Promise<void>;
}

/**
 * The advisory lock the runners of every replica take: one replica at a time
 * migrates; the others wait for it, then find nothing left to do. Any fixed
 * 64-bit number the gateway uses for nothing else ("gatewayM" in ASCII).
 */
export const MIGRATION_LOCK_KEY = 0x6761_7465_7761_794dn;

/**
 * Brings the database's schema up to the last of `migrations` and returns the
 * versions it applied (none when another replica did, or they were applied
 * earlier). Everything happens in one transaction holding a transaction-level
 * advisory lock: a runner that started meanwhile waits for that lock, then
 * (read committed: each statement sees what committed before it) finds the
 * versions recorded in schema_migrations, so each migration runs once; if one
 * fails, nothing of this run is applied or recorded. Refuses a database that
 * records a version it does not know: a newer gateway migrated it.
 */
export async function migrate(sql: postgres.Sql, migrations: readonly Migration[]): Promise<number[]> {
  checkOrder(migrations);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`;
    const applied = new Set(rows.map((row) => row.version));
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = [...applied].filter((version) => !known.has(version));
    if (unknown.length > 0)
      throw new Error(
        `the database has schema migration ${unknown.join(', ')}, which this gateway does not know ` +
          `(it knows 1 to ${migrations.at(-1)?.version ?? 0}): a newer gateway migrated it; start that version`,
      );
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const { version, name, up, backfill } of pending) {
      await tx.unsafe(up);
      await backfill?.(tx);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${version}, ${name})`;
    }
    return pending.map((migration) => migration.version);
  });
}

/**
 * Migrations are numbered upwards from exactly 1, each above the one before (gaps are
 * allowed): a repeat or a step back is a mistake in the code, caught at start.
 */
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, i) => {
    const inOrder = i === 0 ? migration.version === 1 : migration.version > migrations[i - 1].version;
    if (!Number.isInteger(migration.version) || !inOrder)
      throw new Error(
        `schema migration ${i + 1} is numbered ${migration.version} (${migration.name}): ` +
          `number them upwards from 1, each above the one before`,
      );
  });
}
