import { chmodSync, existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { capability } from '@app/proto';
import { encodeJsonRecord, jsonRecordTable, openVersionedSqlite, type JsonRecordTable } from '@app/runtime';
import type { ClusterRecord, ClusterStore, NodeConfigRecord } from '../../clusters/cluster-store.js';

/** PRAGMA user_version of the layout below; a file with another version is refused, not reinterpreted. */
export const CLUSTERS_SCHEMA_VERSION = 1;

// Records as JSON documents keyed like the KV buckets a JetStream adapter would use:
// few rows, read whole, written rarely (a connection, an install, a sync).
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS cluster (
    id     TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS cluster_key (
    cluster TEXT PRIMARY KEY,
    key     BLOB NOT NULL              -- the 32-byte key both sides derived at join (the file is mode 0600)
  );
  CREATE TABLE IF NOT EXISTS node_config (
    cluster    TEXT NOT NULL,
    capability TEXT NOT NULL,
    record     TEXT NOT NULL,
    PRIMARY KEY (cluster, capability)
  );
  CREATE TABLE IF NOT EXISTS node_status (
    cluster    TEXT NOT NULL,
    capability TEXT NOT NULL,
    record     TEXT NOT NULL,
    PRIMARY KEY (cluster, capability)
  );
`;

/** Clusters in the gateway's clusters.db (WAL, every write fsynced: writes are rare; mode 0600: it holds keys). */
export class SqliteClusterStore implements ClusterStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly clusters: JsonRecordTable<ClusterRecord>;
  private readonly nodeConfigs: JsonRecordTable<NodeConfigRecord>;
  private readonly nodeStatuses: JsonRecordTable<capability.NodeCapabilityStatus>;

  constructor(path: string) {
    this.db = openVersionedSqlite(path, {
      kind: 'clusters',
      reader: 'this gateway',
      version: CLUSTERS_SCHEMA_VERSION,
      table: 'cluster',
      schema: SCHEMA,
      synchronous: 'FULL',
      remedy: 'start the gateway version that wrote it, or move the file aside',
    });
    // It holds the clusters' keys: readable by the gateway's user only (the WAL and shm files follow the file's mode).
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
    const insertCluster = this.db.prepare<[string, string]>('INSERT INTO cluster (id, record) VALUES (?, ?)');
    const insertKey = this.db.prepare<[string, Buffer]>('INSERT INTO cluster_key (cluster, key) VALUES (?, ?)');
    const exists = this.db.prepare<[string]>('SELECT 1 FROM cluster WHERE id = ?').pluck();
    const deleteRows = [
      'cluster WHERE id',
      'cluster_key WHERE cluster',
      'node_config WHERE cluster',
      'node_status WHERE cluster',
    ].map((where) => this.db.prepare<[string]>(`DELETE FROM ${where} = ?`));
    this.clusters = jsonRecordTable<ClusterRecord>(this.db, 'cluster', ['id']);
    this.nodeConfigs = jsonRecordTable<NodeConfigRecord>(this.db, 'node_config', ['cluster', 'capability']);
    this.nodeStatuses = jsonRecordTable<capability.NodeCapabilityStatus>(this.db, 'node_status', [
      'cluster',
      'capability',
    ]);
    this.statements = {
      create: this.db.transaction((id: string, record: string, key: Buffer): boolean => {
        if (exists.get(id)) return false;
        insertCluster.run(id, record);
        insertKey.run(id, key);
        return true;
      }),
      delete: this.db.transaction((id: string): boolean => {
        const [cluster, ...rest] = deleteRows;
        const deleted = cluster.run(id).changes > 0;
        for (const statement of rest) statement.run(id);
        return deleted;
      }),
      update: this.db.transaction((id: string, change: (record: ClusterRecord) => ClusterRecord) => {
        const record = this.clusters.get(id);
        if (!record) return undefined;
        const next = change(record);
        this.clusters.put(next, id);
        return next;
      }),
      putNodeConfigIf: this.db.transaction(
        (clusterId: string, capability: string, expectedRevision: bigint, config: NodeConfigRecord): boolean => {
          const current = this.nodeConfigs.get(clusterId, capability);
          if ((current?.revision ?? 0n) !== expectedRevision) return false;
          this.nodeConfigs.put(config, clusterId, capability);
          return true;
        },
      ),
      clusterKey: this.db.prepare<[string], Buffer>('SELECT key FROM cluster_key WHERE cluster = ?').pluck(),
    };
  }

  async get(id: string): Promise<ClusterRecord | undefined> {
    return this.clusters.get(id);
  }

  async list(): Promise<ClusterRecord[]> {
    return this.clusters.all();
  }

  async put(record: ClusterRecord): Promise<void> {
    this.clusters.put(record, record.id);
  }

  async update(id: string, change: (record: ClusterRecord) => ClusterRecord): Promise<ClusterRecord | undefined> {
    // IMMEDIATE: the write lock is taken before the read, so another process's update waits rather than interleaves.
    return this.statements.update.immediate(id, change);
  }

  async create(record: ClusterRecord, key: Buffer): Promise<boolean> {
    return this.statements.create(record.id, encodeJsonRecord(record), key);
  }

  async clusterKey(id: string): Promise<Buffer | undefined> {
    return this.statements.clusterKey.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return this.statements.delete(id);
  }

  async nodeConfig(clusterId: string, capability: string): Promise<NodeConfigRecord | undefined> {
    return this.nodeConfigs.get(clusterId, capability);
  }

  async putNodeConfig(clusterId: string, capability: string, config: NodeConfigRecord): Promise<void> {
    this.nodeConfigs.put(config, clusterId, capability);
  }

  async putNodeConfigIf(cluster: string, capability: string, expected: bigint, next: NodeConfigRecord) {
    return this.statements.putNodeConfigIf.immediate(cluster, capability, expected, next);
  }

  async nodeStatus(clusterId: string, capability: string): Promise<capability.NodeCapabilityStatus | undefined> {
    const status = this.nodeStatuses.get(clusterId, capability);
    // Written before lastRevision became a core.Revision (opni's type): a bare revision number.
    const legacy = status?.lastRevision as unknown;
    return typeof legacy === 'bigint' ? { ...status!, lastRevision: { revision: legacy } } : status;
  }

  async putNodeStatus(clusterId: string, capability: string, status: capability.NodeCapabilityStatus): Promise<void> {
    this.nodeStatuses.put(status, clusterId, capability);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
