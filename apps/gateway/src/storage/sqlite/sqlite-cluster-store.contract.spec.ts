import type { ClusterStore } from '../../clusters/cluster-store.js';
import { SqliteClusterStore } from './sqlite-cluster-store.js';
import { describeClusterStoreContract } from '../cluster-store-contract/cluster-store.contract.js';
import { sqliteStoreUnderTest } from './sqlite-store-under-test.js';

describeClusterStoreContract('SqliteClusterStore', async () =>
  sqliteStoreUnderTest<ClusterStore>('clusters.db', (path) => new SqliteClusterStore(path)),
);
