// A throwaway PostgreSQL for `npm start -- --replicas N` (scripts/local-replicas.mjs
// runs this under tsx): startPostgres() from @app/testing (initdb in a temporary
// directory, a free 127.0.0.1 port, as `nobody` when run as root), then one JSON
// line on stdout with the URL of a fresh database in it. Stops the server and
// removes its directory on SIGINT or SIGTERM, or when its stdin closes (the
// script that started it has gone, however it ended).
import { POSTGRES_BIN, startPostgres } from '@app/testing';

const starting = startPostgres();
let stopping: Promise<void> | undefined;
/** Once started (a signal during start waits for it), stop the server, remove its directory, exit. */
const stop = () => {
  stopping ??= starting.then(
    (cluster) => cluster.stop().then(() => process.exit(0)),
    () => process.exit(1),
  );
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, stop);
process.stdin.on('end', stop).resume();

const cluster = await starting.catch((error: Error) => {
  console.error(`could not start PostgreSQL from ${POSTGRES_BIN}: ${error.message}`);
  process.exit(1);
});
const url = await cluster.createDatabase();
console.log(JSON.stringify({ event: 'postgres-ready', url, pid: cluster.postmaster.pid, dataDir: cluster.dataDir }));
