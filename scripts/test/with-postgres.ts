// Runs a command with a throwaway PostgreSQL cluster, for the gateway's
// end-to-end suites on PostgreSQL (npm run test:e2e:postgres, .ci/run):
//   tsx scripts/test/with-postgres.ts <command> [args…]
// The command gets TEST_GATEWAY_POSTGRES_URL, the cluster's superuser URL;
// spawnApp('gateway') then runs each gateway on a database of its own there
// (libs/testing/src/gateway-storage.ts). The cluster is stopped and removed
// when the command ends, and the command's exit code is this script's.
import { spawn } from 'node:child_process';
import { startPostgres } from '@app/testing';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: tsx scripts/test/with-postgres.ts <command> [args…]');
  process.exit(2);
}
const cluster = await startPostgres();
console.log(`PostgreSQL for the gateways under test: ${cluster.url} (data in ${cluster.dataDir})`);
const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, TEST_GATEWAY_POSTGRES_URL: cluster.url },
});
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward).on('SIGTERM', forward);
const code = await new Promise<number>((done) => child.once('exit', (exit, signal) => done(exit ?? (signal ? 1 : 0))));
await cluster.stop();
process.exit(code);
