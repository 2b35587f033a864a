import type Database from 'better-sqlite3';
import type { capability } from '@app/proto';
import { openVersionedSqlite } from '@app/runtime';
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

/** JSON with Dates and bigints that come back as Dates and bigints (and strings that stay strings). */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key]; // before toJSON turned a Date into a string
    if (original instanceof Date) return { $date: original.getTime() };
    return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
  });
}

function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object') {
      if ('$date' in v) return new Date((v as { $date: number }).$date);
      if ('$bigint' in v) return BigInt((v as { $bigint: string }).$bigint);
    }
    return v;
  }) as T;
}

/** Clusters in the gateway's clusters.db (WAL, every write fsynced: writes are rare). */
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
    this.statements = {
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
    return row && decode<ClusterRecord>(row.record);
  }

  async list(): Promise<ClusterRecord[]> {
    return this.statements.list.all().map((row) => decode<ClusterRecord>(row.record));
  }

  async put(record: ClusterRecord): Promise<void> {
    this.statements.put.run(record.id, encode(record));
  }

  async nodeConfig(clusterId: string, capability: string): Promise<NodeConfigRecord | undefined> {
    const row = this.statements.nodeConfig.get(clusterId, capability);
    return row && decode<NodeConfigRecord>(row.record);
  }

  async putNodeConfig(clusterId: string, capability: string, config: NodeConfigRecord): Promise<void> {
    this.statements.putNodeConfig.run(clusterId, capability, encode(config));
  }

  async nodeStatus(clusterId: string, capability: string): Promise<capability.NodeCapabilityStatus | undefined> {
    const row = this.statements.nodeStatus.get(clusterId, capability);
    return row && decode<capability.NodeCapabilityStatus>(row.record);
  }

  async putNodeStatus(clusterId: string, capability: string, status: capability.NodeCapabilityStatus): Promise<void> {
    this.statements.putNodeStatus.run(clusterId, capability, encode(status));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
