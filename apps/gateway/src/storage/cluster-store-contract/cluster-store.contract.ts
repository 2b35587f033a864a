import type { ClusterRecord, ClusterStore, NodeConfigRecord } from '../../clusters/cluster-store.js';
import type { ReplicatedStoreUnderTest } from '../replicated-store-under-test.js';

/** Opens an empty store, for one test. */
export type OpenClusterStore = () => Promise<ReplicatedStoreUnderTest<ClusterStore>>;

const T0 = Date.UTC(2030, 0, 1);
const KEY = Buffer.alloc(32, 9);

function cluster(id: string, overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  return { id, labels: { env: 'prod' }, capabilities: [], joinedAt: new Date(T0), ...overrides };
}

function config(revision: bigint, spec: Record<string, unknown> = {}): NodeConfigRecord {
  return { enabled: true, revision, revisedAt: new Date(T0), spec };
}

/**
 * What every ClusterStore adapter does, run by each adapter's spec with its
 * own `open` (SQLite: a temporary file; PostgreSQL: a database of a throwaway
 * cluster), including changes made through two replicas at once. What only
 * SQLite has (records written by older versions) stays in its own specs.
 */
export function describeClusterStoreContract(adapter: string, open: OpenClusterStore): void {
  describe(`${adapter}: clusters`, () => {
    let subject: ReplicatedStoreUnderTest<ClusterStore>;
    beforeEach(async () => (subject = await open()));
    afterEach(() => subject.dispose());

    it('creates a cluster with its key once; a second create of the id writes nothing', async () => {
      const full = cluster('c1', {
        capabilities: [{ name: 'alerting', deletionTimestamp: new Date(T0 + 5) }, { name: 'logging' }],
        lastConnectedAt: new Date(T0 + 1),
        lastAddress: '10.0.0.1:4000',
        agentVersion: '1.2.3',
      });
      expect(await subject.store.create(full, KEY)).toBe(true);
      expect(await subject.store.create(cluster('c1', { labels: {} }), Buffer.alloc(32, 1))).toBe(false);
      await subject.reopen();

      expect(await subject.store.get('c1')).toEqual(full);
      expect(await subject.store.clusterKey('c1')).toEqual(KEY);
      expect(await subject.store.get('c2')).toBeUndefined();
      expect(await subject.store.clusterKey('c2')).toBeUndefined();
    });

    it('lists every cluster in id order; put creates or replaces a record', async () => {
      for (const id of ['b', 'a', 'C']) await subject.store.create(cluster(id), KEY);
      await subject.store.put(cluster('a', { labels: { env: 'dev' } }));
      await subject.store.put(cluster('d'));

      const listed = await subject.store.list();
      expect(listed.map((record) => record.id)).toEqual(['C', 'a', 'b', 'd']);
      expect(listed[1]).toEqual(cluster('a', { labels: { env: 'dev' } }));
    });

    it('deletes a cluster with its key, node configurations and statuses; false when unknown', async () => {
      await subject.store.create(cluster('c1'), KEY);
      await subject.store.create(cluster('c2'), KEY);
      for (const id of ['c1', 'c2']) {
        await subject.store.putNodeConfig(id, 'alerting', config(1n));
        await subject.store.putNodeStatus(id, 'alerting', { enabled: true, conditions: [] });
      }

      expect(await subject.store.delete('c1')).toBe(true);
      expect(await subject.store.delete('c1')).toBe(false);
      expect(await subject.store.get('c1')).toBeUndefined();
      expect(await subject.store.clusterKey('c1')).toBeUndefined();
      expect(await subject.store.nodeConfig('c1', 'alerting')).toBeUndefined();
      expect(await subject.store.nodeStatus('c1', 'alerting')).toBeUndefined();
      expect(await subject.store.nodeConfig('c2', 'alerting')).toEqual(config(1n));
      // It may join again.
      expect(await subject.store.create(cluster('c1'), Buffer.alloc(32, 2))).toBe(true);
      expect(await subject.store.clusterKey('c1')).toEqual(Buffer.alloc(32, 2));
    });

    it('keeps node configurations and statuses per (cluster, capability) across a reopen', async () => {
      const status = {
        enabled: true,
        lastSync: new Date(T0),
        conditions: ['Backend Disabled'],
        lastRevision: { revision: 3n, timestamp: new Date(T0 - 1000) },
      };
      await subject.store.putNodeConfig('c1', 'alerting', config(2n, { nested: { list: [1, 'two'] } }));
      await subject.store.putNodeConfig('c1', 'alerting', config(3n, { replaced: true }));
      await subject.store.putNodeStatus('c1', 'alerting', status);
      await subject.reopen();

      expect(await subject.store.nodeConfig('c1', 'alerting')).toEqual(config(3n, { replaced: true }));
      expect(await subject.store.nodeConfig('c1', 'logging')).toBeUndefined();
      expect(await subject.store.nodeStatus('c1', 'alerting')).toEqual(status);
      expect(await subject.store.nodeStatus('c2', 'alerting')).toBeUndefined();
    });

    it('updates a record through its current value; nothing for an unknown cluster', async () => {
      await subject.store.create(cluster('c1'), KEY);
      const updated = await subject.store.update('c1', (record) => ({ ...record, agentVersion: '2.0.0' }));

      expect(updated).toEqual(cluster('c1', { agentVersion: '2.0.0' }));
      expect(await subject.store.get('c1')).toEqual(updated);
      expect(await subject.store.update('c2', (record) => record)).toBeUndefined();
      expect(await subject.store.get('c2')).toBeUndefined();
    });

    it('loses no update made through two replicas at once (each waits for the lock on the record)', async () => {
      const other = await subject.replica();
      await subject.store.create(cluster('c1', { labels: {} }), KEY);
      const replicas = [subject.store, other];
      const UPDATES = 40;
      await Promise.all(
        Array.from({ length: UPDATES }, (_, i) =>
          replicas[i % 2].update('c1', (record) => ({ ...record, labels: { ...record.labels, [`l${i}`]: `${i}` } })),
        ),
      );

      expect(Object.keys((await other.get('c1'))!.labels)).toHaveLength(UPDATES);
    });

    it('writes a node configuration only over the revision expected (0n: none stored)', async () => {
      expect(await subject.store.putNodeConfigIf('c1', 'alerting', 1n, config(2n))).toBe(false);
      expect(await subject.store.nodeConfig('c1', 'alerting')).toBeUndefined();
      expect(await subject.store.putNodeConfigIf('c1', 'alerting', 0n, config(1n))).toBe(true);
      expect(await subject.store.putNodeConfigIf('c1', 'alerting', 0n, config(1n, { late: true }))).toBe(false);
      expect(await subject.store.putNodeConfigIf('c1', 'alerting', 1n, config(2n))).toBe(true);

      expect(await subject.store.nodeConfig('c1', 'alerting')).toEqual(config(2n));
    });

    it('lets one of two replicas racing from one revision win; retrying from what they read, none is lost', async () => {
      const other = await subject.replica();
      const replicas = [subject.store, other];
      for (let revision = 0n; revision < 10n; revision++) {
        const raced = await Promise.all(
          replicas.map((store, r) => store.putNodeConfigIf('c0', 'alerting', revision, config(revision + 1n, { r }))),
        );
        expect(raced.filter(Boolean)).toHaveLength(1);
      }

      const PER_REPLICA = 15;
      // Each replica increments `count` in the spec PER_REPLICA times, re-reading when the other came first.
      await Promise.all(
        replicas.map(async (store) => {
          for (let done = 0; done < PER_REPLICA;) {
            const current = (await store.nodeConfig('c1', 'alerting')) ?? config(0n, { count: 0 });
            const next = config(current.revision + 1n, { count: (current.spec.count as number) + 1 });
            if (await store.putNodeConfigIf('c1', 'alerting', current.revision, next)) done++;
          }
        }),
      );

      const final = await subject.store.nodeConfig('c1', 'alerting');
      expect(final).toEqual(config(BigInt(2 * PER_REPLICA), { count: 2 * PER_REPLICA }));
    });
  });
}
