import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import postgres from 'postgres';
import type { StorageSettings } from '../../config/storage-settings.js';
import { GATEWAY_MIGRATIONS } from './gateway-migrations.js';
import { migrate } from './schema-migrations.js';

/** Injection token of the gateway's PostgreSQL pool (postgres.Sql), bound when GATEWAY_STORAGE=postgres. */
export const POSTGRES_SQL = Symbol('PostgresSql');

/** Seconds to wait for a connection before a query fails (the stores retry what is safe to retry). */
const CONNECT_TIMEOUT_S = 10;

/** The `ssl` option of postgres.js for GATEWAY_POSTGRES_TLS; undefined leaves it to the URL. */
function tlsOption(settings: StorageSettings): postgres.Options<never>['ssl'] {
  switch (settings.postgresTls) {
    case 'url':
      return undefined;
    case 'disable':
      return false;
    case 'require':
      return 'require';
    case 'verify-full':
      // Node verifies the certificate chain and the host name unless told not to.
      return settings.postgresCaFile ? { ca: readFileSync(settings.postgresCaFile) } : 'verify-full';
  }
}

/** Where the URL points, without its credentials: for logs and errors. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the configured database';
  }
}

/**
 * Opens the pool GATEWAY_POSTGRES_URL names and brings the schema up to date
 * (migrate(): one replica at a time, under an advisory lock). Fails start-up
 * with an error naming the database when it cannot be reached.
 */
export async function connectPostgres(settings: StorageSettings): Promise<postgres.Sql> {
  const logger = new Logger('PostgresStorage');
  const where = describePostgresUrl(settings.postgresUrl);
  const sql = postgres(settings.postgresUrl, {
    max: settings.postgresPoolSize,
    ssl: tlsOption(settings),
    connect_timeout: CONNECT_TIMEOUT_S,
    onnotice: () => undefined,
    connection: { application_name: 'downstream-alerting-gateway' },
  });
  try {
    const applied = await migrate(sql, GATEWAY_MIGRATIONS);
    logger.log(
      { event: 'postgres-ready', database: where, migrationsApplied: applied },
      applied.length > 0
        ? `PostgreSQL ${where}: applied schema migrations ${applied.join(', ')}`
        : `PostgreSQL ${where}: schema up to date`,
    );
    return sql;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw new Error(`cannot use PostgreSQL at ${where} (GATEWAY_POSTGRES_URL): ${(error as Error).message}`, {
      cause: error,
    });
  }
}
