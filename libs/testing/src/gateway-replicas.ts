import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnApp, type SpawnedApp, type SpawnOptions } from './spawn-app.js';

/**
 * `count` built gateways on one PostgreSQL database, as replicas behind one
 * address would run: the first creates the TLS identity (CA, server key) and
 * the admin token in its data directory, and the others start with copies of
 * them (in directories inside the first's, removed with it), so agents and
 * admins trust and reach any of them alike.
 */
export async function spawnGatewayReplicas(
  count: number,
  postgresUrl: string,
  options: Pick<SpawnOptions, 'args' | 'env' | 'readyTimeoutMs'> = {},
): Promise<SpawnedApp[]> {
  const env = { ...options.env, GATEWAY_STORAGE: 'postgres', GATEWAY_POSTGRES_URL: postgresUrl };
  const first = await spawnApp('gateway', { ...options, env });
  const others = Array.from({ length: count - 1 }, (_, i) => {
    const dataDir = join(first.dataDir, `replica-${i + 2}`);
    mkdirSync(dataDir);
    cpSync(join(first.dataDir, 'tls'), join(dataDir, 'tls'), { recursive: true });
    if (existsSync(join(first.dataDir, 'admin-token'))) {
      cpSync(join(first.dataDir, 'admin-token'), join(dataDir, 'admin-token'));
    }
    return spawnApp('gateway', { ...options, env, dataDir });
  });
  return [first, ...(await Promise.all(others))];
}
