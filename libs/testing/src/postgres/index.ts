// Throwaway PostgreSQL servers for specs and e2e tests (see postgres-cluster.ts).
export { startPostgres, withConnection, POSTGRES_FIXTURE_USER, type PostgresCluster } from './postgres-cluster.js';
export { startPostgresWithStandby, type PostgresWithStandby } from './postgres-standby.js';
export { POSTGRES_BIN, type Postmaster } from './postmaster.js';
