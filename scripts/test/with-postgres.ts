// Runs a command with a throwaway PostgreSQL cluster, for the gateway's
// end-to-end suites on PostgreSQL (npm run test:e2e:postgres, .ci/run):
//   tsx scripts/test/with-postgres.ts <command> [args…]
// The command gets TEST_GATEWAY_POSTGRES_URL, the cluster's superuser URL,
// and TEST_GATEWAY_POSTGRES_TEMPLATE, a database migrated to this checkout's
// schema; spawnApp('gateway') then runs each gateway on a copy of it of its
// own (libs/testing/src/gateway-storage.ts). The cluster is stopped and removed
// when the command ends, and the command's exit code is this script's.
import { spawn } from 'node:child_process';
import postgres from 'postgres';
import { startPostgres, TEST_GATEWAY_POSTGRES_TEMPLATE } from '@app/testing';
import { GATEWAY_MIGRATIONS } from '../../apps/gateway/src/storage/postgres/gateway-migrations.js';
import { migrate } from '../../apps/gateway/src/storage/postgres/schema-migrations.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: tsx scripts/test/with-postgres.ts <command> [args…]');
  process.exit(2);
}
const cluster = await startPostgres();
console.log(`PostgreSQL for the gateways under test: ${cluster.url} (data in ${cluster.dataDir})`);
// Each gateway's database is copied from one migrated once: a gateway then finds its schema up to date.
const template = new URL(await cluster.createDatabase());
const sql = postgres(template.toString(), { max: 1, onnotice: () => undefined });
await migrate(sql, GATEWAY_MIGRATIONS);
await sql.end();
const child = spawn(command, args, {
  stdio: 'inherit',
  env: {
    ...process.env,
    TEST_GATEWAY_POSTGRES_URL: cluster.url,
    [TEST_GATEWAY_POSTGRES_TEMPLATE]: template.pathname.slice(1),
  },
});
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward).on('SIGTERM', forward);
const code = await new Promise<number>((done) => child.once('exit', (exit, signal) => done(exit ?? (signal ? 1 : 0))));
await cluster.stop();
process.exit(code);
