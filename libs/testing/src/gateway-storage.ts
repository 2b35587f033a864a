import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { withConnection } from './postgres/postgres-cluster.js';

/** Set (by scripts/test/with-postgres.ts) to a PostgreSQL superuser URL: spawned gateways then store there. */
export const TEST_GATEWAY_POSTGRES_URL = 'TEST_GATEWAY_POSTGRES_URL';
/** Optionally, a database of that server each gateway's is copied from (one migrated already, say). */
export const TEST_GATEWAY_POSTGRES_TEMPLATE = 'TEST_GATEWAY_POSTGRES_TEMPLATE';

/**
 * The storage settings a spawned gateway gets: none (SQLite, the default)
 * unless TEST_GATEWAY_POSTGRES_URL is set and the test chose no storage
 * itself; then a database of the cluster there, one per data directory, so a
 * gateway restarted on the same data directory finds what it stored (as it
 * would in its SQLite files there).
 */
export async function gatewayStorageEnv(
  dataDir: string,
  chosen: { env?: NodeJS.ProcessEnv; args?: string[] },
): Promise<NodeJS.ProcessEnv> {
  const server = process.env[TEST_GATEWAY_POSTGRES_URL];
  if (!server || chosen.env?.GATEWAY_STORAGE !== undefined || chosen.args?.includes('--storage')) return {};
  const database = `gateway_${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}`;
  await withConnection(server, async (sql) => {
    const [known] = await sql`SELECT 1 FROM pg_database WHERE datname = ${database}`;
    const template = process.env[TEST_GATEWAY_POSTGRES_TEMPLATE];
    if (!known) await sql.unsafe(`CREATE DATABASE ${database}${template ? ` TEMPLATE "${template}"` : ''}`);
  });
  const url = new URL(server);
  url.pathname = `/${database}`;
  return { GATEWAY_STORAGE: 'postgres', GATEWAY_POSTGRES_URL: url.toString() };
}

/** What spawnApp('gateway') stores in when the test chooses nothing: `postgres` under scripts/test/with-postgres.ts. */
export function spawnedGatewayStorage(): 'sqlite' | 'postgres' {
  return process.env[TEST_GATEWAY_POSTGRES_URL] ? 'postgres' : 'sqlite';
}
