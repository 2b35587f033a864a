import { chmodSync, existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { capability } from '@app/proto';
import { decodeJsonRecord, encodeJsonRecord, openVersionedSqlite } from '@app/runtime';
import type { ClusterRecord, ClusterStore, NodeConfigRecord } from './cluster-store.js';

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
      clusterKey: this.db.prepare<[string], Buffer>('SELECT key FROM cluster_key WHERE cluster = ?').pluck(),
      get: this.db.prepare<[string], { record: string }>('SELECT record FROM cluster WHERE id = ?'),
      list: this.db.prepare<[], { record: string }>('SELECT record FROM cluster ORDER BY id'),
      put: this.db.prepare<[string, string]>(
        'INSERT INTO cluster (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record',
      ),
      nodeConfig: this.db.prepare<[string, string], { record: string }>(
        'SELECT record FROM node_config WHERE cluster = ? AND capability = ?',
      ),
      putNodeConfig: this.db.prepare<[string, string, string]>(
        `INSERT INTO node_config (cluster, capability, record) VALUES (?, ?, ?)
         ON CONFLICT (cluster, capability) DO UPDATE SET record = excluded.record`,
      ),
      nodeStatus: this.db.prepare<[string, string], { record: string }>(
        'SELECT record FROM node_status WHERE cluster = ? AND capability = ?',
      ),
      putNodeStatus: this.db.prepare<[string, string, string]>(
        `INSERT INTO node_status (cluster, capability, record) VALUES (?, ?, ?)
         ON CONFLICT (cluster, capability) DO UPDATE SET record = excluded.record`,
      ),
    };
  }

  async get(id: string): Promise<ClusterRecord | undefined> {
    const row = this.statements.get.get(id);
    return row && decodeJsonRecord<ClusterRecord>(row.record);
  }

  async list(): Promise<ClusterRecord[]> {
    return this.statements.list.all().map((row) => decodeJsonRecord<ClusterRecord>(row.record));
  }

  async put(record: ClusterRecord): Promise<void> {
    this.statements.put.run(record.id, encodeJsonRecord(record));
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
    const row = this.statements.nodeConfig.get(clusterId, capability);
    return row && decodeJsonRecord<NodeConfigRecord>(row.record);
  }

  async putNodeConfig(clusterId: string, capability: string, config: NodeConfigRecord): Promise<void> {
    this.statements.putNodeConfig.run(clusterId, capability, encodeJsonRecord(config));
  }

  async nodeStatus(clusterId: string, capability: string): Promise<capability.NodeCapabilityStatus | undefined> {
    const row = this.statements.nodeStatus.get(clusterId, capability);
    return row && decodeJsonRecord<capability.NodeCapabilityStatus>(row.record);
  }

  async putNodeStatus(clusterId: string, capability: string, status: capability.NodeCapabilityStatus): Promise<void> {
    this.statements.putNodeStatus.run(clusterId, capability, encodeJsonRecord(status));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
