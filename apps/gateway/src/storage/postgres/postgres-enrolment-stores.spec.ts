import type { ClusterStore } from '../../clusters/cluster-store.js';
import type { BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';
import { PostgresBootstrapTokenStore } from './postgres-bootstrap-token-store.js';
import { PostgresClusterStore } from './postgres-cluster-store.js';
import { migratedDatabase } from './postgres-spec-database.js';

const database = migratedDatabase();
const REPLICAS = 4;

/** A store and REPLICAS - 1 more on the same database, each on a pool of its own (up to 4 connections). */
async function replicas<Store extends { close(): Promise<void> }>(
  tables: string[],
  openOn: Parameters<typeof database.open<Store>>[1],
): Promise<{ stores: Store[]; dispose(): Promise<void> }> {
  const subject = await database.open<Store>(tables, openOn);
  const others = await Promise.all(Array.from({ length: REPLICAS - 1 }, () => subject.replica()));
  return { stores: [subject.store, ...others], dispose: () => subject.dispose() };
}

// The contract races two replicas; here four, on 16 connections, with more contention than the contract's.
describe('PostgreSQL enrolment stores: four replicas on one database', () => {
  it('grants a 25-use token 25 times to 200 joins spread over four replicas', async () => {
    const { stores, dispose } = await replicas<BootstrapTokenStore>(
      ['bootstrap_tokens'],
      (sql) => new PostgresBootstrapTokenStore(sql),
    );
    try {
      const at = new Date();
      await stores[0].put({ id: 'token', secretHash: '', createdAt: at, maxUsages: 25, usages: 0, labels: {} });
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % REPLICAS].use('token', at)));

      expect(results.filter((record) => record !== undefined)).toHaveLength(25);
      expect((await stores[3].get('token'))?.usages).toBe(25);
    } finally {
      await dispose();
    }
  });

  it('applies 200 updates of one cluster spread over four replicas, and each replica 25 revisions of a configuration', async () => {
    const { stores, dispose } = await replicas<ClusterStore>(
      ['clusters', 'cluster_keys', 'node_configs', 'node_statuses'],
      (sql) => new PostgresClusterStore(sql),
    );
    try {
      await stores[0].create({ id: 'c1', labels: {}, capabilities: [], joinedAt: new Date() }, Buffer.alloc(32));
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          stores[i % REPLICAS].update('c1', (record) => ({ ...record, labels: { ...record.labels, [`l${i}`]: '' } })),
        ),
      );
      expect(Object.keys((await stores[0].get('c1'))!.labels)).toHaveLength(200);

      let refused = 0;
      await Promise.all(
        stores.map(async (store) => {
          for (let done = 0; done < 25;) {
            const current = await store.nodeConfig('c1', 'alerting');
            const revision = current?.revision ?? 0n;
            const next = { enabled: true, revision: revision + 1n, spec: {} };
            if (await store.putNodeConfigIf('c1', 'alerting', revision, next)) done++;
            else refused++;
          }
        }),
      );
      expect((await stores[0].nodeConfig('c1', 'alerting'))?.revision).toBe(100n);
      // Four writers on one row collide: the compare-and-set refused some writes, and those were retried.
      expect(refused).toBeGreaterThan(0);
    } finally {
      await dispose();
    }
  });
});
