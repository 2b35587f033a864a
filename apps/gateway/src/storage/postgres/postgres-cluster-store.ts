import type postgres from 'postgres';
import type { capability } from '@app/proto';
import { decodeJsonRecord, encodeJsonRecord } from '@app/runtime';
import type { ClusterRecord, ClusterStore, NodeConfigRecord } from '../../clusters/cluster-store.js';

/**
 * Clusters in PostgreSQL, shared by every replica (tables:
 * enrolment-migrations.ts), as the same JSON documents the SQLite adapter
 * keeps. Concurrent changes: update() holds the cluster row's lock (SELECT …
 * FOR UPDATE) from its read to its write, so a second replica's update waits
 * and then reads the first one's result (row locks: a record's changes are
 * small and few, waiting is cheaper than retrying); putNodeConfigIf() is a
 * compare-and-set on the revision column (optimistic: the caller decides the
 * next revision from what it read, and must re-read when another came first).
 *
 * The pool is the caller's: close() does not end it.
 */
export class PostgresClusterStore implements ClusterStore {
  constructor(private readonly sql: postgres.Sql) {}

  async get(id: string): Promise<ClusterRecord | undefined> {
    const [row] = await this.sql<{ record: string }[]>`SELECT record FROM clusters WHERE id = ${id}`;
    return row && decodeJsonRecord<ClusterRecord>(row.record);
  }

  async list(): Promise<ClusterRecord[]> {
    const rows = await this.sql<{ record: string }[]>`SELECT record FROM clusters ORDER BY id COLLATE "C"`;
    return rows.map((row) => decodeJsonRecord<ClusterRecord>(row.record));
  }

  async put(record: ClusterRecord): Promise<void> {
    await this.sql`
      INSERT INTO clusters (id, record) VALUES (${record.id}, ${encodeJsonRecord(record)})
      ON CONFLICT (id) DO UPDATE SET record = excluded.record`;
  }

  async update(id: string, change: (record: ClusterRecord) => ClusterRecord): Promise<ClusterRecord | undefined> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<{ record: string }[]>`SELECT record FROM clusters WHERE id = ${id} FOR UPDATE`;
      if (!row) return undefined;
      const next = change(decodeJsonRecord<ClusterRecord>(row.record));
      await tx`UPDATE clusters SET record = ${encodeJsonRecord(next)} WHERE id = ${id}`;
      return next;
    });
  }

  async create(record: ClusterRecord, key: Buffer): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const inserted = await tx`
        INSERT INTO clusters (id, record) VALUES (${record.id}, ${encodeJsonRecord(record)})
        ON CONFLICT (id) DO NOTHING`;
      if (inserted.count === 0) return false;
      // A key left by a cluster deleted half-way cannot exist (delete() is one transaction): a plain INSERT.
      await tx`INSERT INTO cluster_keys (cluster_id, key) VALUES (${record.id}, ${key})`;
      return true;
    });
  }

  async clusterKey(id: string): Promise<Buffer | undefined> {
    const [row] = await this.sql<{ key: Buffer }[]>`SELECT key FROM cluster_keys WHERE cluster_id = ${id}`;
    return row?.key;
  }

  async delete(id: string): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const deleted = await tx`DELETE FROM clusters WHERE id = ${id}`;
      await tx`DELETE FROM cluster_keys WHERE cluster_id = ${id}`;
      await tx`DELETE FROM node_configs WHERE cluster_id = ${id}`;
      await tx`DELETE FROM node_statuses WHERE cluster_id = ${id}`;
      return deleted.count > 0;
    });
  }

  async nodeConfig(clusterId: string, capability: string): Promise<NodeConfigRecord | undefined> {
    const [row] = await this.sql<{ record: string }[]>`
      SELECT record FROM node_configs WHERE cluster_id = ${clusterId} AND capability = ${capability}`;
    return row && decodeJsonRecord<NodeConfigRecord>(row.record);
  }

  async putNodeConfig(clusterId: string, capability: string, config: NodeConfigRecord): Promise<void> {
    await this.sql`
      INSERT INTO node_configs (cluster_id, capability, revision, record)
      VALUES (${clusterId}, ${capability}, ${config.revision.toString()}::bigint, ${encodeJsonRecord(config)})
      ON CONFLICT (cluster_id, capability) DO UPDATE SET revision = excluded.revision, record = excluded.record`;
  }

  async putNodeConfigIf(cluster: string, capability: string, expected: bigint, next: NodeConfigRecord) {
    const revision = next.revision.toString();
    const record = encodeJsonRecord(next);
    // One statement either way: the conflict path and the UPDATE lock the row and re-check the revision on it.
    const written =
      expected === 0n
        ? await this.sql`
            INSERT INTO node_configs (cluster_id, capability, revision, record)
            VALUES (${cluster}, ${capability}, ${revision}::bigint, ${record})
            ON CONFLICT (cluster_id, capability) DO UPDATE SET revision = excluded.revision, record = excluded.record
            WHERE node_configs.revision = 0`
        : await this.sql`
            UPDATE node_configs SET revision = ${revision}::bigint, record = ${record}
            WHERE cluster_id = ${cluster} AND capability = ${capability}
              AND revision = ${expected.toString()}::bigint`;
    return written.count > 0;
  }

  async nodeStatus(clusterId: string, capability: string): Promise<capability.NodeCapabilityStatus | undefined> {
    const [row] = await this.sql<{ record: string }[]>`
      SELECT record FROM node_statuses WHERE cluster_id = ${clusterId} AND capability = ${capability}`;
    return row && decodeJsonRecord<capability.NodeCapabilityStatus>(row.record);
  }

  async putNodeStatus(clusterId: string, capability: string, status: capability.NodeCapabilityStatus): Promise<void> {
    await this.sql`
      INSERT INTO node_statuses (cluster_id, capability, record)
      VALUES (${clusterId}, ${capability}, ${encodeJsonRecord(status)})
      ON CONFLICT (cluster_id, capability) DO UPDATE SET record = excluded.record`;
  }

  async close(): Promise<void> {}
}
