import type { ClusterStore } from '../../clusters/cluster-store.js';
import { describeClusterStoreContract } from '../cluster-store-contract/cluster-store.contract.js';
import { PostgresClusterStore } from './postgres-cluster-store.js';
import { migratedDatabase } from './postgres-spec-database.js';

const database = migratedDatabase();

describeClusterStoreContract('PostgresClusterStore', () =>
  database.open<ClusterStore>(
    ['clusters', 'cluster_keys', 'node_configs', 'node_statuses'],
    (sql) => new PostgresClusterStore(sql),
  ),
);
